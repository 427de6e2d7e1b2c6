"""Cards, invitations and badges from the server, read back by a real QR decoder; batches
made in the background; a customer's own card page."""

import io
import time
import zipfile

from PIL import Image

from kiosk_server.core.signing import extract_token_text
from tests.badges.helpers import assert_scans, decode, pdf_pages
from tests.conftest import seed_seminar


def _image(answer) -> Image.Image:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(answer.content))


def _scan(client, headers, event_id, code):
    return client.post("/api/v1/checkins", headers=headers,
                       json={"code": code, "event_id": event_id}).json()


def test_a_card_image_carries_the_link_to_the_card_page_and_checks_the_guest_in(
        client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    card = client.post(f"/api/v1/customers/{customer_id}/card", headers=admin.headers).json()
    image = _image(client.get(f"/api/v1/customers/{customer_id}/card.png",
                              headers=admin.headers))
    assert image.size == (1011, 638)
    [link] = decode(image)
    assert link == f"HTTP://LOCALHOST:8000/C/{card['code']}"  # compact: alphanumeric mode
    assert_scans(image, link)
    assert extract_token_text(link) == card["code"]
    assert _scan(client, admin.headers, seminar.event_id, link)["status"] == "ok"
    assert client.get("/api/v1/customers/999999/card.png",
                      headers=admin.headers).status_code == 404


def test_badges_and_invitations_carry_the_invitation_code(client, admin, seminar):
    event_id = seminar.event_id
    invitation = client.get(f"/api/v1/events/{event_id}/invitations",
                            headers=admin.headers).json()["items"][1]
    base = f"/api/v1/events/{event_id}/invitations/{invitation['id']}"
    badge = _image(client.get(f"{base}/badge.png", headers=admin.headers))
    assert badge.size == (1240, 1748)
    assert_scans(badge, invitation["code"])
    phone = _image(client.get(f"{base}/invitation.png", headers=admin.headers))
    email = _image(client.get(f"{base}/invitation.png?size=email", headers=admin.headers))
    assert phone.size == (1080, 1920) and email.width == 600
    assert_scans(phone, invitation["code"])
    assert decode(email) == [invitation["code"]]
    other = seed_seminar(client, admin.headers, guests=1)
    assert client.get(f"/api/v1/events/{other.event_id}/invitations/{invitation['id']}"
                      "/badge.png", headers=admin.headers).status_code == 404


def test_a_kiosk_prints_badges_of_its_own_event_only(client, admin, seminar):
    other = seed_seminar(client, admin.headers, guests=1)
    kiosk = client.post(f"/api/v1/events/{seminar.event_id}/devices", headers=admin.headers,
                        json={"name": "Kiosk A", "gate": "A"}).json()["token"]
    headers = {"Authorization": f"Bearer {kiosk}"}
    mine = client.get(f"/api/v1/events/{seminar.event_id}/invitations",
                      headers=admin.headers).json()["items"][0]["id"]
    theirs = client.get(f"/api/v1/events/{other.event_id}/invitations",
                        headers=admin.headers).json()["items"][0]["id"]
    admitted = client.post("/api/v1/checkins", headers=headers,
                           json={"code": seminar.codes[0], "event_id": seminar.event_id})
    assert admitted.json()["invitation_id"] == mine  # a kiosk prints the guest it admitted
    assert client.get(f"/api/v1/events/{seminar.event_id}/invitations/{mine}/badge.png",
                      headers=headers).status_code == 200
    assert client.get(f"/api/v1/events/{other.event_id}/invitations/{theirs}/badge.png",
                      headers=headers).status_code == 403
    assert client.get(f"/api/v1/customers/{seminar.customer_ids[0]}/card.png",
                      headers=headers).status_code == 403


def _finished(client, admin, export_id, timeout=90):
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/api/v1/exports/{export_id}", headers=admin.headers).json()
        if status["status"] in ("done", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def _exported(client, admin, kind, guests):
    """An event with `guests` guests, and its finished export of `kind`."""
    event = seed_seminar(client, admin.headers, guests=guests)
    started = client.post(f"/api/v1/events/{event.event_id}/exports", headers=admin.headers,
                          json={"kind": kind}).json()
    done = _finished(client, admin, started["id"])
    assert done["status"] == "done", done
    return event, done


def test_an_events_badges_come_as_one_pdf_made_in_the_background(client, admin):
    event = seed_seminar(client, admin.headers, guests=6)
    started = client.post(f"/api/v1/events/{event.event_id}/exports", headers=admin.headers,
                          json={"kind": "badges_pdf"})
    assert started.status_code == 202, started.text
    assert started.json()["total"] == 6 and started.json()["download"] is None
    early = client.get(f"/api/v1/exports/{started.json()['id']}/file", headers=admin.headers)
    done = _finished(client, admin, started.json()["id"])
    assert (done["status"], done["done"], done["total"]) == ("done", 6, 6), done
    assert early.status_code in (200, 404)  # 404 while it is being made
    pdf = client.get(done["download"], headers=admin.headers)
    assert pdf.headers["content-type"] == "application/pdf"
    pages = pdf_pages(pdf.content)
    assert len(pages) == 6
    invitations = client.get(f"/api/v1/events/{event.event_id}/invitations",
                             headers=admin.headers).json()["items"]
    # By name, as a welcome desk sorts them; each page's QR is one guest's code.
    assert sorted(decode(image)[0] for _, image in pages) == sorted(
        i["code"] for i in invitations)
    listed = client.get(f"/api/v1/events/{event.event_id}/exports", headers=admin.headers)
    assert [e["id"] for e in listed.json()] == [done["id"]]


def test_invitations_come_as_a_zip_of_pngs(client, admin):
    event, done = _exported(client, admin, "invitations_zip", guests=3)
    archive = zipfile.ZipFile(io.BytesIO(client.get(done["download"],
                                                    headers=admin.headers).content))
    names = archive.namelist()
    assert len(names) == 3 and all(name.endswith(".png") for name in names)
    codes = {i["code"] for i in client.get(f"/api/v1/events/{event.event_id}/invitations",
                                           headers=admin.headers).json()["items"]}
    assert {decode(Image.open(archive.open(name)))[0] for name in names} == codes
    assert client.post(f"/api/v1/events/{event.event_id}/exports", headers=admin.headers,
                       json={"kind": "posters"}).status_code == 422


def test_an_export_left_by_a_stopped_server_is_failed_at_the_next_start(db, client, admin,
                                                                       seminar):
    import socket

    from sqlalchemy import select

    from kiosk_server.prints.models import Export, ExportKind, ExportStatus
    from kiosk_server.prints.runner import fail_abandoned, worker_name

    with db.session() as session:
        for worker in (f"{socket.gethostname()}:999999", worker_name(), "elsewhere:1"):
            session.add(Export(event_id=seminar.event_id, kind=ExportKind.BADGES_PDF,
                               status=ExportStatus.RUNNING, worker=worker))
    assert fail_abandoned(db) == 1
    with db.session() as session:
        statuses = list(session.scalars(select(Export.status).order_by(Export.id)))
    assert statuses == [ExportStatus.FAILED, ExportStatus.RUNNING, ExportStatus.RUNNING]


def test_a_customers_own_card_page_shows_only_that_card(client, admin, seminar):
    customer_id = seminar.customer_ids[2]
    code = client.post(f"/api/v1/customers/{customer_id}/card",
                       headers=admin.headers).json()["code"]
    page = client.get(f"/C/{code}")
    assert page.status_code == 200 and "Nguyễn Thị Hương 2" in page.text
    assert f"/c/{code}/qr.png" in page.text and "manifest.webmanifest" in page.text
    assert decode(_image(client.get(f"/c/{code}/qr.png"))) == [
        f"HTTP://LOCALHOST:8000/C/{code}"]
    manifest = client.get(f"/c/{code}/manifest.webmanifest").json()
    assert manifest["start_url"] == f"/c/{code}" and manifest["display"] == "standalone"
    assert client.get("/c/sw.js").headers["content-type"].startswith("text/javascript")
    client.post(f"/api/v1/customers/{customer_id}/card", headers=admin.headers)  # reissued
    assert client.get(f"/c/{code}").status_code == 404
    assert client.get(f"/c/{code}/qr.png").status_code == 404
    for bad in ("nope", code[:-1] + ("A" if code[-1] != "A" else "B"), "1I" + code[2:]):
        assert client.get(f"/c/{bad}").status_code == 404


def test_the_brand_colours_and_logo_are_on_the_card_and_it_still_scans(settings, admin,
                                                                       seminar, tmp_path):
    from fastapi.testclient import TestClient

    from kiosk_server.main import create_app

    logo = tmp_path / "logo.png"
    Image.new("RGB", (400, 160), (200, 30, 40)).save(logo)
    branded = settings.model_copy(update={"brand_logo": logo, "brand_primary": "#123456",
                                          "business_name": "Cà phê Sáng"})
    with TestClient(create_app(branded)) as client:
        customer_id = seminar.customer_ids[0]
        code = client.post(f"/api/v1/customers/{customer_id}/card",
                           headers=admin.headers).json()["code"]
        image = _image(client.get(f"/api/v1/customers/{customer_id}/card.png",
                                  headers=admin.headers)).convert("RGB")
    colours = {colour for _, colour in image.getcolors(1_000_000)}
    assert (0x12, 0x34, 0x56) in colours and (200, 30, 40) in colours
    assert_scans(image, f"HTTP://LOCALHOST:8000/C/{code}")


def test_badges_for_office_printers_come_four_to_an_a4_page(client, admin):
    event, done = _exported(client, admin, "badge_sheets_pdf", guests=6)
    pages = pdf_pages(client.get(done["download"], headers=admin.headers).content)
    assert [(round(box[2]), round(box[3])) for box, _ in pages] == [(595, 842), (595, 842)]
    codes = [code for _, image in pages for code in decode(image)]
    assert sorted(codes) == sorted(event.codes)
