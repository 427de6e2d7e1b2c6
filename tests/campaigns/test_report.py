"""A campaign's report on planted rows (recipients, outbox messages, coupons, sales and
visits written straight into their tables, as a started campaign leaves them): every
figure exact, the interval against hand-computed values, too few to tell, the days still
to wait, the failures by reason, the recipients' CSV (formulas neutralised), admins only."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from kiosk_server.campaigns import report
from kiosk_server.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    LeftOut,
    RecipientGroup,
)
from kiosk_server.campaigns.report import FailureReason
from kiosk_server.core.db import Database, id_of
from kiosk_server.core.signing import new_serial
from kiosk_server.core.stats import Verdict
from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import Customer, Visit, VisitKind
from kiosk_server.loyalty import coupons
from kiosk_server.loyalty.models import Coupon, CouponCreate, Purchase
from kiosk_server.messaging.models import MessageStatus, OutboxMessage

ADDRESS_UNKNOWN = "550 5.1.1 <khach@example.vn>: Recipient address rejected: User unknown"
NO_SUCH_USER = "550 5.1.1 The email account that you tried to reach does not exist"
MAILBOX_FULL = "552 5.2.2 Mailbox full"
FORMULA_NAME = '=HYPERLINK("http://evil.example","Bấm")'


@dataclass
class Planter:
    """Writes a campaign's rows; each recipient is a new customer."""

    db: Database
    campaign_id: int
    started_at: datetime
    count: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def recipient(self, group=RecipientGroup.SEND, *, left_out=None, name=None,
                  message=None, coupon=None, unsubscribed=False, label=None) -> int:
        """A recipient; `message`: (status, last_error, claimed minutes ago) of their
        outbox row (None: none written); `coupon`: (used?, purchase amount or None,
        voided?)."""
        self.count += 1
        with self.db.session() as session:
            person = Customer(full_name=name or f"Trần Thị Mai {self.count}",
                              name_folded=f"tran thi mai {self.count}",
                              email=f"mai{self.count}@example.vn")
            session.add(person)
            session.flush()
            outbox_id = None
            if message is not None:
                status, error, minutes = message
                mail = OutboxMessage(to_address=f"mai{self.count}@example.vn",
                                     subject="Ưu đãi tháng 12", body_text="Xin chào",
                                     status=status, last_error=error,
                                     claimed_at=utcnow() - timedelta(minutes=minutes))
                session.add(mail)
                session.flush()
                outbox_id = mail.id
            coupon_id = None
            if coupon is not None:
                used, amount, voided = coupon
                purchase_id = None
                if amount is not None:
                    purchase_id = self._sale(session, id_of(person), amount, voided=voided,
                                             at=self.started_at + timedelta(days=3))
                given = Coupon(serial=new_serial(), customer_id=person.id,
                               benefit="Giảm 10% hóa đơn", issued_at=self.started_at,
                               expires_at=self.started_at + timedelta(days=30),
                               used_at=self.started_at + timedelta(days=3) if used else None,
                               used_purchase_id=purchase_id)
                session.add(given)
                session.flush()
                coupon_id = given.id
            session.add(CampaignRecipient(
                campaign_id=self.campaign_id, customer_id=id_of(person), group=group,
                left_out=left_out, serial=new_serial(), outbox_id=outbox_id,
                coupon_id=coupon_id,
                unsubscribed_at=self.started_at + timedelta(hours=5) if unsubscribed else None))
            if label:
                self.ids[label] = id_of(person)
                self.names[label] = person.full_name
            return id_of(person)

    def _sale(self, session, customer_id, amount, *, voided=False, at) -> int:
        sale = Purchase(customer_id=customer_id, amount_vnd=amount, points=0,
                        request_id=new_serial(), occurred_at=at,
                        voided_at=at + timedelta(hours=1) if voided else None)
        session.add(sale)
        session.flush()
        session.add(Visit(customer_id=customer_id, kind=VisitKind.PURCHASE, occurred_at=at,
                          source_id=sale.id))
        return id_of(sale)

    def sale(self, customer_id, amount, *, days, voided=False, with_visit=True) -> None:
        with self.db.session() as session:
            at = self.started_at + timedelta(days=days)
            if with_visit:
                self._sale(session, customer_id, amount, voided=voided, at=at)
            else:
                session.add(Purchase(customer_id=customer_id, amount_vnd=amount, points=0,
                                     request_id=new_serial(), occurred_at=at))

    def visit(self, customer_id, *, days) -> None:
        with self.db.session() as session:
            session.add(Visit(customer_id=customer_id, kind=VisitKind.EVENT,
                              occurred_at=self.started_at + timedelta(days=days)))


def campaign(db, *, started_days_ago: float | None = 40, return_days=30,
             name="Tri ân khách hàng tháng 12") -> Planter:
    started = utcnow() - timedelta(days=started_days_ago) if started_days_ago else None
    with db.session() as session:
        row = Campaign(name=name, state=CampaignState.DONE if started else CampaignState.DRAFT,
                       started_at=started, return_days=return_days,
                       coupon_benefit="Giảm 10% hóa đơn")
        session.add(row)
        session.flush()
        return Planter(db, id_of(row), started or utcnow())


def plant_the_december_campaign(db) -> Planter:
    """60 to send to, 20 held out, 6 left out. Messages: 49 sent, 6 failed, 1 unknown,
    3 pending, 1 cancelled. Coupons: 60 issued, 5 used (3 with sales of 1,850,000 VND, 1
    with a voided sale, 1 without a sale). Returns: 18 of 60 sent to, 5 of 20 held out."""
    plant = campaign(db)
    sent = [plant.recipient(message=(MessageStatus.SENT, "", 60), coupon=(False, None, False),
                            unsubscribed=n < 4) for n in range(43)]
    for amount in (250_000, 400_000, 1_200_000):  # used with a sale (a return too)
        sent.append(plant.recipient(message=(MessageStatus.SENT, "", 60),
                                    coupon=(True, amount, False)))
    plant.recipient(message=(MessageStatus.SENT, "", 60), coupon=(True, 900_000, True),
                    label="voided")  # used with a sale that was then voided: no return
    plant.recipient(message=(MessageStatus.SENT, "", 60), coupon=(True, None, False))
    plant.recipient(message=(MessageStatus.SENT, "", 60), coupon=(False, None, False),
                    name=FORMULA_NAME, label="formula")
    failed = [plant.recipient(message=(MessageStatus.FAILED, error, 60),
                              coupon=(False, None, False),
                              label="failed" if n == 0 else None)
              for n, error in enumerate([ADDRESS_UNKNOWN] * 3 + [NO_SUCH_USER]
                                        + [MAILBOX_FULL] * 2)]
    for status, minutes in [(MessageStatus.SENDING, 60), (MessageStatus.SENDING, 1),
                            (MessageStatus.HELD, 0), (MessageStatus.CANCELLED, 0)]:
        plant.recipient(message=(status, "", minutes), coupon=(False, None, False))
    plant.recipient(coupon=(False, None, False))  # its message not written yet
    # Returns among those sent to: 18 (10 check-ins, 3 coupon sales, 3 sales with a visit,
    # 2 sales without one, one of them a failed message's recipient: all are counted).
    for customer in sent[:10]:
        plant.visit(customer, days=4)
    for customer in sent[10:13]:
        plant.sale(customer, 320_000, days=12)
    plant.sale(sent[13], 150_000, days=29, with_visit=False)
    plant.sale(failed[0], 150_000, days=2, with_visit=False)
    # ... and not returns: before the start, after the 30 days, a voided sale.
    plant.visit(sent[14], days=-3)
    plant.visit(sent[15], days=31)
    plant.sale(sent[16], 500_000, days=5, voided=True)
    held = [plant.recipient(RecipientGroup.HOLD_OUT, label="held" if n == 0 else None)
            for n in range(20)]
    for customer in held[:5]:
        plant.visit(customer, days=20)
    plant.visit(held[5], days=40)
    for reason, count in [(LeftOut.NO_CONSENT, 3), (LeftOut.NO_ADDRESS, 2),
                          (LeftOut.ERASED, 1)]:
        for n in range(count):
            plant.recipient(RecipientGroup.LEFT_OUT, left_out=reason,
                            label=f"left-{reason.value}" if n == 0 else None)
    return plant


def _report(db, campaign_id, now=None):
    with db.session() as session:
        return report.report(session, campaign_id, now=now or utcnow())


def test_the_report_counts_every_figure_exactly(db):
    plant = plant_the_december_campaign(db)
    found = _report(db, plant.campaign_id)
    assert (found.name, found.recipients, found.hold_out) == ("Tri ân khách hàng tháng 12",
                                                              60, 20)
    assert [(line.reason, line.count) for line in found.left_out] == [
        (LeftOut.NO_CONSENT, 3), (LeftOut.NO_ADDRESS, 2), (LeftOut.ERASED, 1)]
    assert found.delivery.model_dump() == {"sent": 49, "failed": 6, "unknown": 1,
                                           "pending": 3, "cancelled": 1}
    assert found.unsubscribed == 4
    assert found.coupons.model_dump() == {"issued": 60, "redeemed": 5, "sales": 3,
                                          "sales_vnd": 1_850_000}
    returns = found.returns
    assert returns is not None and returns.days == 30 and returns.days_left == 0
    assert returns.sent_group.model_dump() == {"customers": 60, "returned": 18, "rate": 0.3}
    assert returns.hold_out.model_dump() == {"customers": 20, "returned": 5, "rate": 0.25}
    assert returns.difference == pytest.approx(0.05)
    # By hand: Wilson 95 % intervals 18/60 (0.19898, 0.42509) and 5/20 (0.11186, 0.46870),
    # then Newcombe's hybrid score: 0.05 - sqrt((0.3 - 0.19898)^2 + (0.46870 - 0.25)^2)
    # and 0.05 + sqrt((0.42509 - 0.3)^2 + (0.25 - 0.11186)^2).
    assert returns.lower == pytest.approx(-0.19090, abs=5e-5)
    assert returns.upper == pytest.approx(0.23636, abs=5e-5)
    assert (returns.verdict, returns.too_few) == (Verdict.NO_CLEAR_DIFFERENCE, False)


def test_failures_are_grouped_by_reason_with_the_servers_words(db):
    plant = plant_the_december_campaign(db)
    failures = _report(db, plant.campaign_id).failures
    assert [(group.reason, group.count) for group in failures] == [
        (FailureReason.ADDRESS_REFUSED, 4), (FailureReason.MAILBOX_FULL, 2)]
    assert [(error.text, error.count) for error in failures[0].errors] == [
        (ADDRESS_UNKNOWN, 3), (NO_SUCH_USER, 1)]
    assert [(error.text, error.count) for error in failures[1].errors] == [(MAILBOX_FULL, 2)]


@pytest.mark.parametrize(("error", "reason"), [
    (ADDRESS_UNKNOWN, FailureReason.ADDRESS_REFUSED),
    ("553 5.1.3 Invalid address", FailureReason.ADDRESS_REFUSED),
    ("HTTP 400: invalid phone number", FailureReason.ADDRESS_REFUSED),
    (MAILBOX_FULL, FailureReason.MAILBOX_FULL),
    ("452 4.2.2 The email account that you tried to reach is over quota",
     FailureReason.MAILBOX_FULL),
    ("550 5.7.1 Message rejected as spam by Content Filtering", FailureReason.BLOCKED),
    ("554 5.7.1 Service unavailable; client host blocked using a block list",
     FailureReason.BLOCKED),
    ("Error connecting to mail.example.vn on port 587: [Errno 111] Connection refused",
     FailureReason.SERVER_UNREACHABLE),
    ("SMTPTimeoutError: Timed out connecting to mail.example.vn on port 587",
     FailureReason.SERVER_UNREACHABLE),
    ("ConnectError: [Errno -2] Name or service not known", FailureReason.SERVER_UNREACHABLE),
    ("SMTPResponseException: (554, 'Transaction failed')", FailureReason.OTHER),
])
def test_a_failures_reason_is_read_from_its_error(error, reason):
    assert report.failure_reason(error) is reason


def test_too_few_to_tell_still_gives_the_rates_and_interval(db):
    plant = campaign(db)
    sent = [plant.recipient(message=(MessageStatus.SENT, "", 60)) for _ in range(8)]
    held = [plant.recipient(RecipientGroup.HOLD_OUT) for _ in range(2)]
    for customer in sent[:3] + held[:1]:
        plant.visit(customer, days=1)
    returns = _report(db, plant.campaign_id).returns
    assert returns is not None
    assert (returns.sent_group.returned, returns.sent_group.customers) == (3, 8)
    assert (returns.hold_out.returned, returns.hold_out.customers) == (1, 2)
    assert (returns.verdict, returns.too_few) == (Verdict.TOO_FEW, True)
    assert returns.difference == pytest.approx(-0.125) and returns.lower is not None


def test_while_the_days_run_the_report_says_how_many_are_left(db):
    plant = campaign(db, started_days_ago=10, return_days=30)
    customer = plant.recipient(message=(MessageStatus.SENT, "", 60))
    plant.recipient(RecipientGroup.HOLD_OUT)
    plant.visit(customer, days=2)
    returns = _report(db, plant.campaign_id).returns
    assert returns is not None and returns.days_left == 20
    assert returns.until == returns.since + timedelta(days=30)
    assert (returns.sent_group.returned, returns.hold_out.returned) == (1, 0)
    with_an_hour_gone = _report(db, plant.campaign_id, now=utcnow() + timedelta(hours=1))
    assert with_an_hour_gone.returns is not None
    assert with_an_hour_gone.returns.days_left == 20  # 19 days and 23 hours: still "20"


def test_a_draft_has_nothing_to_report_yet(db):
    plant = campaign(db, started_days_ago=None)
    found = _report(db, plant.campaign_id)
    assert (found.state, found.recipients, found.hold_out, found.left_out) == (
        CampaignState.DRAFT, 0, 0, [])
    assert found.returns is None and found.failures == []
    assert found.delivery.model_dump() == dict.fromkeys(
        ("sent", "failed", "unknown", "pending", "cancelled"), 0)


def test_the_report_reads_the_same_few_statements_for_any_number_of_recipients(db):
    def statements(recipients: int) -> int:
        plant = campaign(db)
        for n in range(recipients):
            customer = plant.recipient(message=(MessageStatus.SENT, "", 60),
                                       coupon=(n % 2 == 0, 100_000 if n % 4 == 0 else None,
                                               False))
            plant.visit(customer, days=1)
            plant.recipient(RecipientGroup.HOLD_OUT)
        seen: list[str] = []
        listen = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            _report(db, plant.campaign_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        return len(seen)

    assert statements(3) == statements(60) <= 8


# The English headers, by the names these tests read them by.
EN = dict(zip(["name", "address", "group", "left_out", "delivery", "error", "unsubscribed_at",
               "coupon", "redeemed_at", "sale_vnd", "returned"],
              [english for _, english in report.RECIPIENT_COLUMNS], strict=True))


def _csv(client, headers, campaign_id, lang="en"):
    answer = client.get(f"/api/v1/campaigns/{campaign_id}/recipients.csv", headers=headers,
                        params={"lang": lang} if lang else None)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    found = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    if lang != "en":
        return found
    return [{name: row[header] for name, header in EN.items()} for row in found]


def test_the_recipients_csv_has_one_row_each_and_runs_no_formula(client, admin, db, settings):
    plant = plant_the_december_campaign(db)
    rows = _csv(client, admin.headers, plant.campaign_id)
    assert len(rows) == 86
    by_name = {row["name"]: row for row in rows}
    formula = by_name["'" + FORMULA_NAME]  # a spreadsheet shows it as text
    # (the coupons were valid for 30 days from the start, 40 days ago)
    assert (formula["group"], formula["delivery"], formula["coupon"]) == (
        "Sent the message", "Sent", "Expired")
    names = {label: by_name[name] for label, name in plant.names.items() if label != "formula"}
    failed = names["failed"]
    assert (failed["delivery"], failed["error"], failed["returned"]) == (
        "Failed", ADDRESS_UNKNOWN, "yes")
    assert failed["address"] == f"mai{plant.ids['failed']}@example.vn"
    voided = names["voided"]
    assert (voided["coupon"], voided["sale_vnd"], voided["returned"]) == ("Used", "", "no")
    # The shop's clock, to the second, without a zone.
    redeemed = (plant.started_at + timedelta(days=3)).astimezone(settings.zone)
    assert voided["redeemed_at"] == redeemed.replace(tzinfo=None, microsecond=0).isoformat()
    held = names["held"]
    assert (held["group"], held["delivery"], held["coupon"], held["returned"]) == (
        "Hold-out", "", "", "yes")
    left = names["left-no_consent"]
    assert (left["group"], left["left_out"], left["returned"]) == ("Left out", "No consent", "")
    sales = sorted(int(row["sale_vnd"]) for row in rows if row["sale_vnd"])
    assert sales == [250_000, 400_000, 1_200_000]
    assert sum(row["returned"] == "yes" for row in rows) == 23


def test_the_recipients_csv_speaks_vietnamese_by_default(client, admin, db):
    plant = plant_the_december_campaign(db)
    rows = _csv(client, admin.headers, plant.campaign_id, lang=None)
    assert list(rows[0]) == [vietnamese for vietnamese, _ in report.RECIPIENT_COLUMNS]
    by_name = {row["Khách"]: row for row in rows}
    left = by_name[plant.names["left-no_consent"]]
    assert (left["Nhóm"], left["Vì sao không gửi"]) == ("Không gửi", "Chưa đồng ý nhận tin")
    failed = by_name[plant.names["failed"]]
    assert (failed["Tin nhắn"], failed["Quay lại trong thời gian theo dõi"]) == ("Gửi lỗi", "có")
    refused = client.get(f"/api/v1/campaigns/{plant.campaign_id}/recipients.csv",
                         headers=admin.headers, params={"lang": "fr"})
    assert refused.status_code == 422


def test_an_erased_recipient_is_named_by_number_alone(client, admin, db):
    plant = campaign(db)
    customer = plant.recipient(message=(MessageStatus.CANCELLED, "", 0))
    with db.session() as session:
        person = session.get(Customer, customer)
        person.full_name, person.email, person.erased_at = "", None, utcnow()
        session.add(person)
    [row] = _csv(client, admin.headers, plant.campaign_id)
    assert (row["name"], row["delivery"]) == (f"#{customer}", "Withdrawn")
    assert row["address"] == f"mai{customer}@example.vn"  # the message's, written before


def test_only_an_admin_reads_a_campaigns_report(client, admin, clerk, db):
    plant = plant_the_december_campaign(db)
    for path in ("report", "recipients.csv"):
        url = f"/api/v1/campaigns/{plant.campaign_id}/{path}"
        assert client.get(url, headers=admin.headers).status_code == 200
        for headers, status, code in [(clerk.headers, 403, "forbidden"),
                                      ({}, 401, "not_authenticated")]:
            refused = client.get(url, headers=headers)
            assert refused.status_code == status and refused.json()["error"]["code"] == code
            assert "Trần" not in refused.text
        missing = client.get(f"/api/v1/campaigns/{plant.campaign_id + 1}/{path}",
                             headers=admin.headers)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "campaign_not_found"
    answer = client.get(f"/api/v1/campaigns/{plant.campaign_id}/report", headers=admin.headers)
    assert answer.json()["returns"]["sent_group"] == {"customers": 60, "returned": 18,
                                                      "rate": 0.3}


def campaign_coupon(db, plant: Planter, signer, *, benefit="Giảm 50.000 ₫ cho đơn từ 300.000 ₫"
                    ) -> tuple[int, str]:
    """A recipient sent a personal coupon, as a started campaign leaves them: the customer
    and the coupon's code."""
    customer = plant.recipient(message=(MessageStatus.SENT, "", 60))
    with db.session() as session:
        coupon = coupons.issue(session, customer_id=customer, issued_by=None,
                               data=CouponCreate(benefit=benefit, valid_days=30))
        recipient = session.exec(select(CampaignRecipient).where(
            col(CampaignRecipient.customer_id) == customer)).one()
        recipient.coupon_id = coupon.id
        session.add(recipient)
        return customer, coupons.to_public(coupon, signer).code


def test_a_campaign_coupon_used_at_the_till_credits_the_campaign(client, admin, db, app):
    plant = campaign(db, started_days_ago=2)
    customer, code = campaign_coupon(db, plant, app.state.signer)
    plant.recipient(RecipientGroup.HOLD_OUT)
    sale = client.post(f"/api/v1/customers/{customer}/purchases", headers=admin.headers,
                       json={"amount_vnd": 640_000, "items": "Bánh", "request_id": "camp-1",
                             "coupon_code": code})
    assert sale.status_code == 201, sale.text
    found = _report(db, plant.campaign_id)
    assert found.coupons.model_dump() == {"issued": 1, "redeemed": 1, "sales": 1,
                                          "sales_vnd": 640_000}
    assert found.returns is not None and found.returns.sent_group.returned == 1

    voided = client.post(f"/api/v1/purchases/{sale.json()['purchase']['id']}/void",
                         headers=admin.headers, json={"reason": "Khách trả hàng"})
    assert voided.status_code == 200, voided.text
    found = _report(db, plant.campaign_id)
    assert found.coupons.model_dump() == {"issued": 1, "redeemed": 1, "sales": 0,
                                          "sales_vnd": 0}
    assert found.returns is not None and found.returns.sent_group.returned == 0
