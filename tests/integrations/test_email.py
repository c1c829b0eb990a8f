"""E-mail through Django's EmailMessage (DESIGN N2): locmem in tests, SMTP on a local server."""

import email
import email.policy
import logging

import pytest
from django.core import mail

from integrations.email import send_email
from integrations.errors import PermanentSendError, TransientSendError
from integrations.models import DevInboxMessage
from integrations.services import outbox_enqueue
from integrations.tasks import send_outbox_message
from tests.integrations.fakes import free_port

ADDRESS = "anna.berg@example.se"
SUBJECT = "Inbjudan till videomöte"
BODY = "Du är inbjuden till ett videomöte tis 1 dec kl 09.30: https://video.example.se/g/xyz"


def send(**overrides) -> str:
    return send_email(**{"to": ADDRESS, "subject": SUBJECT, "body": BODY,
                         "reference": "guest:3"} | overrides)


@pytest.mark.django_db
def test_an_outbox_email_goes_through_the_email_backend_once(settings):
    settings.DEFAULT_FROM_EMAIL = "videobesok@region.example.se"
    message = outbox_enqueue(channel="email", recipient=ADDRESS, subject=SUBJECT, body=BODY)
    send_outbox_message(message.pk)
    send_outbox_message(message.pk)
    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body) == ([ADDRESS], SUBJECT, BODY)
    assert sent.from_email == "videobesok@region.example.se"
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.provider_message_id == sent.extra_headers["Message-ID"]


def test_smtp_delivers_the_mail_with_the_message_id_it_reports(smtp_server):
    message_id = send()
    [raw] = smtp_server.mails
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert received["To"] == ADDRESS
    assert received["Subject"] == SUBJECT
    assert received["Message-ID"] == message_id
    assert received.get_content().strip() == BODY


def test_smtp_refusing_the_address_is_permanent(smtp_server):
    smtp_server.rcpt_reply = b"550 5.1.1 no such user"
    with pytest.raises(PermanentSendError, match="550"):
        send()


def test_smtp_asking_to_come_back_later_is_transient(smtp_server):
    smtp_server.rcpt_reply = b"451 4.7.1 greylisted, try again later"
    with pytest.raises(TransientSendError, match="451"):
        send()


def test_smtp_out_of_reach_is_transient(smtp_server, settings):
    settings.EMAIL_PORT = free_port()
    with pytest.raises(TransientSendError, match="gick inte att nå"):
        send()


@pytest.mark.django_db
def test_dev_inbox_backend_logs_the_mail_and_keeps_it(settings, caplog):
    settings.EMAIL_BACKEND = "integrations.email.backends.DevInboxEmailBackend"
    with caplog.at_level(logging.INFO, logger="integrations.email.backends"):
        send()
    kept = DevInboxMessage.objects.get()
    assert (kept.channel, kept.recipient, kept.subject, kept.body) == (
        "email", ADDRESS, SUBJECT, BODY)
    assert f"E-mail to {ADDRESS}" in caplog.text and BODY in caplog.text
