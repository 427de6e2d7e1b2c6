"""The home page comes from kiosk_ui and shows the business name safely."""

from kiosk_server.core.config import Settings
from kiosk_server.core.migrations import upgrade
from kiosk_server.main import create_app


def test_home_page_names_the_business_escaped(tmp_path):
    from fastapi.testclient import TestClient

    settings = Settings(data_dir=tmp_path, secret_key="s" * 40, business_name="Cà phê <Sáng>",
                        _env_file=None)
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    with TestClient(app) as client:
        page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Cà phê &lt;Sáng&gt; · Kiosk" in page.text and "<Sáng>" not in page.text
    assert 'href="/admin"' in page.text
    assert client.get("/admin").status_code == 200
