"""Campaigns written by admins: a draft created, changed and deleted (only while it is a
draft), every diacritic kept, an unknown placeholder refused by name, what starting still
needs said, the list newest first with how far each went; each change in the audit log;
staff who are not admins refused."""

import pytest
from sqlmodel import select

from kiosk_server.campaigns import service
from kiosk_server.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    RecipientGroup,
)
from kiosk_server.core.errors import DomainError
from kiosk_server.customers.models import Customer
from kiosk_server.messaging import service as messaging

URL = "/api/v1/campaigns"

DRAFT = {
    "name": "  Tri ân   khách hàng thân thiết — Tết Ất Tỵ ",
    "channel": "email",
    "subject_vi": "Chúc mừng năm mới, {{name}}!",
    "subject_en": "Happy New Year, {{ name }}!",
    "text_vi": "Chào {{name}},\nBạn đang có {{points}} điểm, hạng {{tier}}.\n{{card_link}}",
    "text_en": "Hello {{name}}, you have {{points}} points.",
    "html_vi": "<p>Chào <b>{{name}}</b> — ưu đãi: {{coupon}}</p>",
    "coupon_benefit": "Giảm 15% cho đơn kế tiếp",
    "coupon_valid_days": 14,
    "hold_out_pct": 10,
    "return_days": 21,
}


def _create(client, admin, **changes):
    answer = client.post(URL, headers=admin.headers, json={**DRAFT, **changes})
    assert answer.status_code == 201, answer.text
    return answer.json()


def _audit(client, admin):
    return client.get("/api/v1/audit", headers=admin.headers,
                      params={"kind": "campaign"}).json()["items"]


def _set_state(db, campaign_id, state):
    with db.session() as session:
        campaign = session.get(Campaign, campaign_id)
        campaign.state = state
        session.add(campaign)


def test_an_admin_writes_a_draft_and_reads_it_back_as_written(client, admin):
    made = _create(client, admin)
    assert made["name"] == "Tri ân khách hàng thân thiết — Tết Ất Tỵ"  # spaces tidied only
    assert (made["state"], made["channel"], made["missing"]) == ("draft", "email", [])
    assert made["segment"] == {"kind": "group", "join": "and", "rules": [{"kind": "all"}]}
    read = client.get(f"{URL}/{made['id']}", headers=admin.headers).json()
    for name in ("subject_vi", "text_vi", "html_vi", "coupon_benefit", "subject_en"):
        assert read[name] == DRAFT[name]
    assert (read["coupon_valid_days"], read["hold_out_pct"], read["return_days"]) == (14, 10, 21)
    assert read["created_by"] == admin.staff_id


def test_a_draft_may_be_incomplete_and_says_what_starting_needs(client, admin):
    made = _create(client, admin, subject_vi="", text_vi="  \n", coupon_benefit=None)
    assert made["missing"] == ["subject_vi", "text_vi"]
    assert made["coupon_benefit"] is None
    changed = client.patch(f"{URL}/{made['id']}", headers=admin.headers,
                           json={"subject_vi": "Ưu đãi tháng Mười Hai"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["missing"] == ["text_vi"]
    done = client.patch(f"{URL}/{made['id']}", headers=admin.headers,
                        json={"text_vi": "Chào {{name}}!", "coupon_benefit": ""})
    assert (done.json()["missing"], done.json()["coupon_benefit"]) == ([], None)


def test_a_change_keeps_what_is_left_out_and_a_null_benefit_takes_the_coupon_away(client,
                                                                                  admin):
    made = _create(client, admin)
    changed = client.patch(f"{URL}/{made['id']}", headers=admin.headers, json={
        "name": "Khách lâu chưa ghé — gợi nhớ", "channel": "sms", "coupon_benefit": None,
        "segment": {"kind": "group", "join": "or", "rules": [
            {"kind": "status", "statuses": ["at_risk", "lapsed"]},
            {"kind": "tags", "tags": ["vip"]}]}})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["channel"], body["coupon_benefit"]) == (
        "Khách lâu chưa ghé — gợi nhớ", "sms", None)
    assert body["segment"]["join"] == "or" and len(body["segment"]["rules"]) == 2
    assert body["text_vi"] == DRAFT["text_vi"] and body["hold_out_pct"] == 10
    emptied = client.patch(f"{URL}/{made['id']}", headers=admin.headers, json={"name": None})
    assert emptied.status_code == 400
    assert emptied.json()["error"]["code"] == "required"


def test_an_unknown_placeholder_is_refused_by_name(client, admin):
    refused = client.post(URL, headers=admin.headers, json={
        **DRAFT, "text_vi": "Chào {{ten}}, mã của bạn {{ma_giam}} {{ten}} {{name}}"})
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["detail"]
    assert (problem["type"], problem["loc"]) == ("unknown_placeholders", ["body", "text_vi"])
    assert problem["ctx"]["names"] == ["ten", "ma_giam"]
    assert problem["ctx"]["placeholders"] == "{{ten}}, {{ma_giam}}"
    made = _create(client, admin)
    html = client.patch(f"{URL}/{made['id']}", headers=admin.headers,
                        json={"html_en": "<p>{{Name}}</p>", "subject_en": "{{voucher}}"})
    assert html.status_code == 422
    assert sorted(p["loc"][1] for p in html.json()["detail"]) == ["html_en", "subject_en"]


def test_values_out_of_range_and_bad_segments_are_refused_with_their_codes(client, admin):
    def refused(**changes):
        answer = client.post(URL, headers=admin.headers, json={**DRAFT, **changes})
        assert answer.status_code == 422, (changes, answer.text)
        return [(item["type"], item["loc"][1]) for item in answer.json()["detail"]]

    assert refused(hold_out_pct=51) == [("less_than_equal", "hold_out_pct")]
    assert refused(coupon_valid_days=0) == [("greater_than_equal", "coupon_valid_days")]
    assert refused(return_days=366) == [("less_than_equal", "return_days")]
    assert refused(name="   ") == [("name_empty", "name")]
    assert refused(channel="fax") == [("enum", "channel")]
    assert refused(segment={"kind": "group", "rules": [{"kind": "horoscope"}]}) == [
        ("segment_invalid", "segment")]
    assert refused(subject_vi="Dòng một\nDòng hai") == [("control_characters", "subject_vi")]
    assert refused(text_vi="x" * 10_001) == [("string_too_long", "text_vi")]


def test_a_campaign_that_started_is_neither_changed_nor_deleted(client, admin, db):
    made = _create(client, admin)
    _set_state(db, made["id"], CampaignState.SENDING)
    changed = client.patch(f"{URL}/{made['id']}", headers=admin.headers, json={"name": "Khác"})
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "campaign_not_draft"
    deleted = client.delete(f"{URL}/{made['id']}", headers=admin.headers)
    assert deleted.status_code == 409
    assert deleted.json()["error"]["code"] == "campaign_not_draft"
    assert client.get(f"{URL}/{made['id']}", headers=admin.headers).json()["name"] == (
        "Tri ân khách hàng thân thiết — Tết Ất Tỵ")


def test_a_draft_is_deleted_and_then_not_found(client, admin):
    made = _create(client, admin)
    assert client.delete(f"{URL}/{made['id']}", headers=admin.headers).status_code == 204
    gone = client.get(f"{URL}/{made['id']}", headers=admin.headers)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "campaign_not_found"
    again = client.delete(f"{URL}/{made['id']}", headers=admin.headers)
    assert again.status_code == 404


def test_each_change_is_in_the_audit_log_and_a_change_of_nothing_is_not(client, admin):
    made = _create(client, admin)
    client.patch(f"{URL}/{made['id']}", headers=admin.headers,
                 json={"hold_out_pct": 20, "text_vi": "Chào {{name}}! " + "x" * 300})
    client.patch(f"{URL}/{made['id']}", headers=admin.headers, json={"hold_out_pct": 20})
    client.delete(f"{URL}/{made['id']}", headers=admin.headers)
    entries = _audit(client, admin)
    assert [entry["action"] for entry in entries] == [
        "campaign.delete", "campaign.update", "campaign.create"]
    deleted, updated, created = entries
    assert deleted["details"] == {"name": "Tri ân khách hàng thân thiết — Tết Ất Tỵ"}
    assert set(updated["details"]) == {"hold_out_pct", "text_vi"}
    assert updated["details"]["text_vi"].endswith("…")  # long bodies logged shortened
    assert len(updated["details"]["text_vi"]) == 201
    assert created["target_type"] == "campaigns" and created["target_id"] == made["id"]
    assert created["details"]["name"] == "Tri ân khách hàng thân thiết — Tết Ất Tỵ"


def test_the_audit_log_names_the_campaign(client, admin):
    made = _create(client, admin)
    [entry] = _audit(client, admin)
    assert entry["target_id"] == made["id"]
    assert entry["target_label"] == "Tri ân khách hàng thân thiết — Tết Ất Tỵ"


def test_the_list_is_newest_first_with_how_many_were_sent(client, admin, db):
    first = _create(client, admin, name="Chiến dịch một")
    second = _create(client, admin, name="Chiến dịch hai")
    third = _create(client, admin, name="Chiến dịch ba")
    with db.session() as session:
        people = [Customer(full_name=f"Khách {n}", name_folded=f"khach {n}") for n in range(5)]
        session.add_all(people)
        session.flush()
        messages = [messaging.enqueue_email(session, to=f"k{n}@example.vn", subject="s",
                                            text="t") for n in range(4)]
        for message in messages:  # taken by a sender
            assert messaging.claim(session, message_id=message.id)
        for message in messages[:2]:
            messaging.mark_sent(session, message_id=message.id)
        for n, (person, message) in enumerate(zip(people, messages, strict=False)):
            session.add(CampaignRecipient(campaign_id=second["id"], customer_id=person.id,
                                          group=RecipientGroup.SEND, serial=f"S{n}",
                                          outbox_id=message.id))
        session.add(CampaignRecipient(campaign_id=second["id"], customer_id=people[4].id,
                                      group=RecipientGroup.HOLD_OUT, serial="H1"))
    _set_state(db, second["id"], CampaignState.SENDING)
    page = client.get(URL, headers=admin.headers).json()
    assert [(item["name"], item["state"], item["recipients"], item["sent"])
            for item in page["items"]] == [
        ("Chiến dịch ba", "draft", 0, 0), ("Chiến dịch hai", "sending", 4, 2),
        ("Chiến dịch một", "draft", 0, 0)]
    assert page["next_cursor"] is None
    one = client.get(URL, headers=admin.headers, params={"limit": 2}).json()
    assert [item["id"] for item in one["items"]] == [third["id"], second["id"]]
    rest = client.get(URL, headers=admin.headers,
                      params={"before": one["next_cursor"], "limit": 2}).json()
    assert [item["id"] for item in rest["items"]] == [first["id"]]
    with db.session() as session:
        assert len(session.scalars(select(CampaignRecipient)).all()) == 5


def test_staff_who_are_not_admins_are_refused(client, admin, clerk):
    made = _create(client, admin)
    for method, path, body in (("POST", URL, DRAFT), ("GET", URL, None),
                               ("GET", f"{URL}/{made['id']}", None),
                               ("PATCH", f"{URL}/{made['id']}", {"name": "X"}),
                               ("DELETE", f"{URL}/{made['id']}", None)):
        answer = client.request(method, path, headers=clerk.headers, json=body)
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "forbidden"
    assert client.get(URL).status_code == 401
    assert len(client.get(URL, headers=admin.headers).json()["items"]) == 1


def test_a_segment_too_deep_or_too_long_is_refused_without_crashing(client, admin):
    def segment(depth):  # written by hand: a client need not be able to encode it
        return '{"kind": "group", "rules": [' * depth + '{"kind": "all"}' + "]}" * depth

    for depth, status in ((3, 201), (4, 422), (450, 422)):
        answer = client.post(URL, headers={**admin.headers, "Content-Type": "application/json"},
                             content='{"name": "Sâu", "segment": ' + segment(depth) + "}")
        assert answer.status_code == status, (depth, answer.text[:200])
        if status == 422:
            assert answer.json()["detail"][0]["type"] == "segment_too_deep"
    many = {"kind": "group", "rules": [  # 32 rules in two groups: each list short enough
        {"kind": "group", "rules": [{"kind": "tags", "tags": [f"t{g}{n}"]} for n in range(16)]}
        for g in range(2)]}
    refused = client.post(URL, headers=admin.headers, json={"name": "Dài", "segment": many})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["type"] == "segment_too_many_rules"


def test_a_campaign_without_its_vietnamese_subject_and_text_cannot_start(client, admin, db):
    """`refuse_incomplete` is what the start route asks first."""
    draft = _create(client, admin, subject_vi="", text_en="only English")
    with db.session() as session:
        campaign = service.get_campaign(session, campaign_id=draft["id"])
        with pytest.raises(DomainError) as refused:
            service.refuse_incomplete(campaign)
        assert (refused.value.code, refused.value.field, refused.value.status) == (
            "campaign_incomplete", "subject_vi", 400)
        campaign.subject_vi = "Chào {{name}}"
        service.refuse_incomplete(campaign)  # complete now: nothing raised
