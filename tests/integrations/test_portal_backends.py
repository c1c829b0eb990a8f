"""The 1177 inbox backends (DESIGN N2): HTTP against a local server, and the development one."""

import pytest

from integrations.errors import PermanentSendError, TransientSendError
from integrations.models import DevInboxMessage
from integrations.portal import get_portal_backend
from tests.integrations.fakes import free_port

SUBJECT = "Kallelse till videobesök"
BODY = "Välkommen till ditt videobesök. Logga in på 1177.se för att ansluta."


def send(**overrides) -> str:
    return get_portal_backend().send(**{
        "personnummer": "199001019802", "subject": SUBJECT, "body": BODY,
        "reference": "kallelse:17",
    } | overrides)


def test_1177_gets_json_with_a_bearer_token_and_its_id_is_kept(portal_api):
    portal_api.reply(201, {"id": "inbox-4711"})
    assert send() == "inbox-4711"
    [request] = portal_api.received
    assert (request.method, request.path) == ("POST", "/api/v1/inbox/messages")
    assert request.headers["Authorization"] == "Bearer token-abc123"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.headers["Idempotency-Key"] == "kallelse:17"
    assert request.json() == {"personnummer": "199001019802", "subject": SUBJECT, "body": BODY}


def test_1177_server_error_is_transient(portal_api):
    portal_api.reply(502, "Bad Gateway")
    with pytest.raises(TransientSendError, match="1177-inkorgen svarade med ett tillfälligt fel"):
        send()


def test_1177_refusal_is_permanent_and_says_why(portal_api):
    portal_api.reply(422, {"error": "okänd mottagare"})
    with pytest.raises(PermanentSendError) as refused:
        send(personnummer="199001019810")
    assert "HTTP 422" in str(refused.value)
    assert "okänd mottagare" in str(refused.value)


def test_1177_not_answering_in_time_is_transient(portal_api, settings):
    settings.PORTAL_TIMEOUT = 0.3
    portal_api.reply(201, {"id": "late"}, delay=1.5)
    with pytest.raises(TransientSendError, match="svarade inte i tid"):
        send()


def test_1177_out_of_reach_is_transient(portal_api, settings):
    settings.PORTAL_API_URL = f"http://127.0.0.1:{free_port()}/api/v1/inbox/messages"
    with pytest.raises(TransientSendError, match="gick inte att nå"):
        send()


@pytest.mark.django_db
def test_database_backend_keeps_the_1177_message_in_the_dev_inbox(settings):
    settings.PORTAL_BACKEND = "integrations.portal.database.DatabasePortalBackend"
    provider_id = send()
    kept = DevInboxMessage.objects.get()
    assert (kept.channel, kept.recipient, kept.subject, kept.body) == (
        "portal", "199001019802", SUBJECT, BODY)
    assert provider_id == f"dev-{kept.pk}"
