"""The published API: the names clients rely on exist, and each endpoint names its caller."""

import pytest

from kiosk_server.core.config import Settings
from kiosk_server.main import create_app

CALLERS = ("Public.", "Staff.", "Staff (their own) or admin.", "Admin.",
           "Staff, or a kiosk device of this event.", "Customer (portal session).",
           "Kiosk device.")


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    data = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(data_dir=data, secret_key="s" * 40, _env_file=None))
    yield app.openapi()
    app.state.db.dispose()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_contract_endpoints_exist(schema):
    published = {(method, path) for method, path, _ in _operations(schema)}
    for endpoint in [
        ("POST", "/api/v1/checkins"), ("GET", "/api/v1/events/{event_id}/stats"),
        ("POST", "/api/v1/customers"), ("GET", "/api/v1/customers"),
        ("POST", "/api/v1/customers/{customer_id}/card"), ("POST", "/api/v1/events"),
        ("POST", "/api/v1/events/{event_id}/invitations"),
        ("DELETE", "/api/v1/events/{event_id}/invitations/{invitation_id}"),
    ]:
        assert endpoint in published


def test_every_endpoint_names_its_caller_and_non_public_ones_need_credentials(schema):
    for method, path, operation in _operations(schema):
        description = operation.get("description", "")
        assert description.startswith(CALLERS), (method, path, description)
        schemes = {name for requirement in operation.get("security", [])
                   for name in requirement}
        if description.startswith("Customer (portal session)."):
            assert schemes == {"PortalSession"}, (method, path, schemes)
        elif not description.startswith("Public."):
            assert schemes == {"HTTPBearer", "APIKeyCookie"}, (method, path, schemes)
