"""The complaint queue: forward-only changes of status, each with who, when and a note;
two changes made at once act once."""

from concurrent.futures import ThreadPoolExecutor

from tests.feedback.helpers import sale_link


def _complaint(client, headers, customer_id, text="Nhân viên thiếu lịch sự"):
    opened = client.post(f"/api/v1/customers/{customer_id}/complaints", headers=headers,
                         json={"text": text})
    assert opened.status_code == 201, opened.text
    return opened.json()


def _move(client, headers, complaint_id, status, note=""):
    return client.post(f"/api/v1/complaints/{complaint_id}/status", headers=headers,
                       json={"status": status, "note": note})


def test_open_then_contacted_then_resolved_with_who_and_notes(client, admin, clerk, seminar):
    complaint = _complaint(client, clerk.headers, seminar.customer_ids[0])
    assert complaint["status"] == "open" and complaint["source"] == "staff"
    contacted = _move(client, clerk.headers, complaint["id"], "contacted", "Đã gọi điện xin lỗi")
    assert contacted.status_code == 200, contacted.text
    resolved = _move(client, admin.headers, complaint["id"], "resolved", "Tặng phiếu ưu đãi")
    body = resolved.json()
    assert body["status"] == "resolved" and body["resolution"] == "Tặng phiếu ưu đãi"
    assert body["resolved_by"] == admin.staff_id
    assert [(s["status"], s["by"], s["note"]) for s in body["steps"]] == [
        ("open", clerk.staff_id, ""), ("contacted", clerk.staff_id, "Đã gọi điện xin lỗi"),
        ("resolved", admin.staff_id, "Tặng phiếu ưu đãi")]
    assert all(s["by_name"] for s in body["steps"])
    audit = client.get("/api/v1/audit?kind=complaint", headers=admin.headers).json()["items"]
    assert sorted(entry["action"] for entry in audit) == [
        "complaint.contact", "complaint.open", "complaint.resolve"]


def test_no_move_back_or_sideways(client, admin, seminar):
    complaint = _complaint(client, admin.headers, seminar.customer_ids[0])
    reopened = _move(client, admin.headers, complaint["id"], "open")
    assert reopened.status_code == 400
    assert reopened.json()["error"]["code"] == "complaint_status_invalid"
    assert _move(client, admin.headers, complaint["id"], "resolved").status_code == 200
    for status in ("contacted", "resolved"):
        refused = _move(client, admin.headers, complaint["id"], status)
        assert refused.status_code == 409, status
        assert refused.json()["error"]["code"] == "complaint_status_refused"
    steps = client.get(f"/api/v1/complaints/{complaint['id']}", headers=admin.headers
                       ).json()["steps"]
    assert [s["status"] for s in steps] == ["open", "resolved"]
    assert _move(client, admin.headers, 999_999, "contacted").status_code == 404
    assert _move(client, admin.headers, complaint["id"], "closed").status_code == 422


def test_the_till_resolving_again_changes_nothing(client, admin, clerk, seminar):
    complaint = _complaint(client, clerk.headers, seminar.customer_ids[0])
    first = client.post(f"/api/v1/complaints/{complaint['id']}/resolve", headers=clerk.headers,
                        json={"resolution": "Đã xin lỗi"})
    again = client.post(f"/api/v1/complaints/{complaint['id']}/resolve", headers=admin.headers,
                        json={"resolution": "Khác"})
    assert first.status_code == again.status_code == 200
    assert again.json()["resolution"] == "Đã xin lỗi"
    assert again.json()["resolved_by"] == clerk.staff_id
    assert [s["status"] for s in again.json()["steps"]] == ["open", "resolved"]


def test_two_changes_at_once_act_once(client, admin, seminar, served, http):
    complaint = _complaint(client, admin.headers, seminar.customer_ids[0])

    def contact(n):
        return http.post(f"/api/v1/complaints/{complaint['id']}/status", headers=admin.headers,
                         json={"status": "contacted", "note": f"cuộc gọi {n}"})

    with ThreadPoolExecutor(6) as pool:
        codes = sorted(r.status_code for r in pool.map(contact, range(6)))
    assert codes == [200] + [409] * 5
    steps = http.get(f"/api/v1/complaints/{complaint['id']}", headers=admin.headers
                     ).json()["steps"]
    assert [s["status"] for s in steps] == ["open", "contacted"]


def test_the_queue_lists_every_customers_complaints_by_status(client, admin, seminar):
    first, second = seminar.customer_ids[:2]
    staff_made = _complaint(client, admin.headers, first)
    token = sale_link(client, admin.headers, second)
    client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 1, "comment": "Tệ"})
    _move(client, admin.headers, staff_made["id"], "contacted")
    everything = client.get("/api/v1/complaints", headers=admin.headers).json()
    assert [c["customer_id"] for c in everything] == [second, first]
    assert everything[0]["customer_name"].startswith("Nguyễn Thị Hương")
    opened = client.get("/api/v1/complaints?status=open", headers=admin.headers).json()
    assert [(c["source"], c["visit_rating"]) for c in opened] == [("feedback", 1)]
    contacted = client.get("/api/v1/complaints?status=contacted", headers=admin.headers).json()
    assert [c["id"] for c in contacted] == [staff_made["id"]]
    older = client.get(f"/api/v1/complaints?before={everything[0]['id']}",
                       headers=admin.headers).json()
    assert [c["id"] for c in older] == [staff_made["id"]]
    assert client.get("/api/v1/complaints?status=closed", headers=admin.headers
                      ).status_code == 422
    assert client.get("/api/v1/complaints").status_code == 401
