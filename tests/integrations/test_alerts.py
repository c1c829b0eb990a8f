"""Staff hear at once when a message service fails, not only when retries run out (N1)."""

import pytest
from django.urls import reverse

from integrations.models import OutboxMessage
from integrations.services import outbox_enqueue
from integrations.tasks import send_outbox_message
from tests.integrations.fakes import free_port

pytestmark = pytest.mark.django_db

MESSAGES = {
    "sms": ("+46701234567", "", "Sms går inte att skicka just nu."),
    "email": ("anna.berg@example.se", "Videomöte", "E-post går inte att skicka just nu."),
    "portal": ("198503129820", "Videomöte", "1177-inkorgen går inte att nå just nu."),
}


@pytest.fixture
def services(elks, portal_api, smtp_server, settings):
    """46elks and the 1177 API answer 503 for now; nothing listens for mail."""
    elks.reply(503, {"error": "maintenance"})
    portal_api.reply(503, {"error": "maintenance"})
    settings.EMAIL_PORT = free_port()
    return smtp_server


def send(channel: str) -> OutboxMessage:
    recipient, subject, _alert = MESSAGES[channel]
    message = outbox_enqueue(channel=channel, recipient=recipient, subject=subject,
                             body="Du har ett videomöte tis 1 dec kl 09.30.")
    send_outbox_message(message.pk)
    return OutboxMessage.objects.get(pk=message.pk)


def start_page(client) -> str:
    return client.get(reverse("visits:start")).content.decode()


@pytest.mark.parametrize("channel", ["sms", "email", "portal"])
def test_staff_see_a_failing_message_service_until_it_works_again(alice, client, settings,
                                                                  services, channel):  # N1
    alert = MESSAGES[channel][2]
    assert alert not in start_page(client)

    waiting = send(channel)

    assert (waiting.status, waiting.attempts) == ("pending", 1)  # retried by itself
    page = start_page(client)
    assert alert in page
    assert [a for _c, (_r, _s, a) in MESSAGES.items() if a in page] == [alert]

    settings.EMAIL_PORT = services.port  # the mail server is back; the others answer 200 now
    assert send(channel).status == "sent"
    assert alert not in start_page(client)


def test_a_message_refused_for_itself_is_no_service_alert(alice, client, elks):  # N1
    """A number 46elks will not take fails that message (shown on its visit), not SMS."""
    elks.reply(400, {"error": "invalid to"})
    assert send("sms").status == "failed"
    assert MESSAGES["sms"][2] not in start_page(client)


def test_patients_pages_never_show_staff_alerts(client, elks):
    elks.reply(503, {"error": "maintenance"})
    send("sms")
    page = client.get(reverse("login")).content.decode()
    assert MESSAGES["sms"][2] not in page
