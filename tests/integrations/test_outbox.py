"""The transactional outbox (DESIGN N1): sent once after commit, retried, shown to staff."""

import datetime
import logging
import re
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from integrations.models import DevInboxMessage, OutboxMessage
from integrations.services import outbox_claim, outbox_enqueue, outbox_resend
from integrations.tasks import send_outbox_message, sweep_outbox
from tests.accounts.factories import UserFactory
from tests.integrations.fakes import celery_broker, wait_until, worker_thread

MOBILE = "+46701234567"
TEXT = "Du har ett videomöte tis 1 dec kl 09.30: https://video.example.se/b/abc"


class Rollback(Exception):
    pass


def enqueue_sms(body: str = TEXT, **kwargs) -> OutboxMessage:
    return outbox_enqueue(channel="sms", recipient=MOBILE, body=body, **kwargs)


def fast_forward(message: OutboxMessage) -> None:
    """Let the clock reach the message's due time."""
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def row(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(celery_worker):  # N1
    with pytest.raises(Rollback), transaction.atomic():
        enqueue_sms("rullas tillbaka")
        raise Rollback
    # A later committed message shows the worker had every chance to send the first.
    enqueue_sms("sparas")
    wait_until(DevInboxMessage.objects.exists, what="the committed SMS")
    assert list(DevInboxMessage.objects.values_list("body", flat=True)) == ["sparas"]
    assert list(OutboxMessage.objects.values_list("body", flat=True)) == ["sparas"]


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_sent_once_through_a_worker(elks, celery_worker):  # N1
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    with transaction.atomic():
        message = enqueue_sms(idempotency_key="invitation:1")
        # Nothing leaves before commit, even with a worker waiting.
        assert row(message).status == "pending"
    wait_until(lambda: row(message).status == "sent", what="the SMS to be sent")
    sent = row(message)
    assert (sent.attempts, sent.provider_message_id, sent.last_error) == (1, "msg-1", "")
    assert sent.sent_at is not None
    assert sweep_outbox() == 0
    assert len(elks.received) == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_twice_sends_once(elks, celery_worker):  # N1
    message = enqueue_sms()
    wait_until(lambda: row(message).status == "sent", what="the first send")
    send_outbox_message.delay(message.pk)
    send_outbox_message.delay(message.pk)
    # The solo worker takes tasks in order: once this one is out, the repeats have run.
    later = enqueue_sms("senare")
    wait_until(lambda: row(later).status == "sent", what="a later SMS")
    assert [r.body for r in elks.received].count(elks.received[0].body) == 1
    assert len(elks.received) == 2


@pytest.mark.django_db(transaction=True)
def test_two_tasks_at_the_same_time_send_once(elks):  # N1
    message = enqueue_sms()
    held = threading.Event()
    elks.reply(200, {"id": "held-1"}, hold=held)

    def first_sender() -> None:
        try:
            send_outbox_message(message.pk)
        finally:
            connection.close()

    first = threading.Thread(target=first_sender)
    first.start()
    try:
        wait_until(lambda: elks.received, what="the first sender to reach 46elks")
        send_outbox_message(message.pk)  # the second finds it taken
        assert row(message).status == "sending"
    finally:
        held.set()
        first.join(timeout=10)
    assert len(elks.received) == 1
    assert (row(message).status, row(message).provider_message_id) == ("sent", "held-1")


@pytest.mark.django_db
def test_the_same_idempotency_key_writes_and_sends_one_message():  # N1
    first = enqueue_sms(idempotency_key="invitation:7")
    again = enqueue_sms(idempotency_key="invitation:7")
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_transient_failures_back_off_growing_then_fail_with_a_readable_error(elks, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 4
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    elks.reply(503, "Service Unavailable", times=4)
    message = enqueue_sms()
    delays = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        send_outbox_message(message.pk)
        waiting = row(message)
        assert (waiting.status, waiting.attempts) == ("pending", attempt)
        assert "tillfälligt fel (HTTP 503)" in waiting.last_error
        delays.append((waiting.next_attempt_at - before).total_seconds())
        # Not due yet: neither the sweep nor a stray task sends it before its time.
        assert sweep_outbox() == 0
        send_outbox_message(message.pk)
        assert len(elks.received) == attempt
        fast_forward(message)
    # Doubling from 30 s plus up to half again at random: each wait is longer than the last.
    for attempt, delay in enumerate(delays, start=1):
        base = 30 * 2 ** (attempt - 1)
        assert base <= delay <= base * 1.5 + 1, delays
    assert delays == sorted(delays)
    send_outbox_message(message.pk)
    failed = row(message)
    assert (failed.status, failed.attempts) == ("failed", 4)
    assert failed.last_error == "Sms-tjänsten (46elks) svarade med ett tillfälligt fel (HTTP 503)."
    assert sweep_outbox() == 0
    assert len(elks.received) == 4


@pytest.mark.django_db
def test_a_refused_sms_fails_at_once(elks):
    elks.reply(400, "Invalid to number")
    message = enqueue_sms()
    send_outbox_message(message.pk)
    failed = row(message)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "Invalid to number" in failed.last_error
    assert failed.sent_at is None
    assert sweep_outbox() == 0
    assert len(elks.received) == 1


@pytest.mark.django_db(transaction=True)
def test_skicka_igen_in_admin_resends_a_failed_message(elks, celery_worker, client):
    elks.reply(400, "Invalid to number")
    message = enqueue_sms()
    wait_until(lambda: row(message).status == "failed", what="the refusal")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    changelist = reverse("admin:integrations_outboxmessage_changelist")
    listed = client.get(changelist, {"status__exact": "failed"}).content.decode()
    assert "Invalid to number" in listed and MOBILE in listed

    response = client.post(changelist, {"action": "resend", "_selected_action": [message.pk]},
                           follow=True)
    assert "1 meddelande skickas igen." in response.content.decode()
    wait_until(lambda: row(message).status == "sent", what="the resent SMS")
    sent = row(message)
    assert (sent.attempts, sent.last_error, sent.provider_message_id) == (1, "", "msg-2")
    assert len(elks.received) == 2


@pytest.mark.django_db
def test_skicka_igen_leaves_a_message_that_has_not_failed(client):
    message = enqueue_sms()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:integrations_outboxmessage_changelist"),
                           {"action": "resend", "_selected_action": [message.pk]}, follow=True)
    assert "1 meddelande hade inte misslyckats och skickades inte igen." in (
        response.content.decode())
    with pytest.raises(ValidationError, match="Bara meddelanden som misslyckats"):
        outbox_resend(message=message)


@pytest.mark.django_db
def test_admin_shows_the_body_read_only(client):
    message = enqueue_sms(body="Hej! Länk: https://video.example.se/b/abc")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:integrations_outboxmessage_change", args=[message.pk]))
    content = page.content.decode()
    assert "Hej! Länk: https://video.example.se/b/abc" in content
    assert 'name="body"' not in content
    assert 'name="_save"' not in content
    assert client.get(reverse("admin:integrations_outboxmessage_add")).status_code == 403


@pytest.mark.django_db
def test_the_sweep_takes_over_a_send_whose_worker_died(elks, settings):  # N1
    message = enqueue_sms()
    lease = datetime.timedelta(seconds=settings.OUTBOX_SENDING_LEASE_SECONDS)
    # A worker claims the message and dies before it reaches 46elks.
    assert outbox_claim(message_id=message.pk, lease=lease) is not None
    assert sweep_outbox() == 0
    send_outbox_message(message.pk)
    assert elks.received == []
    fast_forward(message)  # the lease runs out
    assert sweep_outbox() == 1
    send_outbox_message(message.pk)
    sent = row(message)
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert len(elks.received) == 1


@pytest.mark.django_db
def test_a_misconfigured_backend_is_retried_and_shown_as_an_unexpected_error(settings, caplog):
    settings.SMS_BACKEND = "integrations.sms.nosuch.Backend"
    message = enqueue_sms()
    with caplog.at_level(logging.ERROR, logger="integrations.tasks"):
        send_outbox_message(message.pk)
    waiting = row(message)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.last_error == "Oväntat fel vid sändningen."
    assert "integrations.sms.nosuch" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "recipient", "error"), [
    ("sms", "0701234567", "+46701234567"),
    ("email", "inte-en-adress", "giltig e-postadress"),
    ("portal", "19900101-9802", "12 siffror"),
    ("portal", "199001019803", "12 siffror"),
])
def test_the_recipient_must_fit_the_channel(channel, recipient, error):
    with pytest.raises(ValidationError, match=re.escape(error)):
        outbox_enqueue(channel=channel, recipient=recipient, subject="Videobesök", body=TEXT)
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "recipient"), [
    ("email", "anna.berg@example.se"), ("portal", "199001019802"),
])
def test_email_and_1177_messages_need_a_subject(channel, recipient):
    with pytest.raises(ValidationError, match="måste ha ett ämne"):
        outbox_enqueue(channel=channel, recipient=recipient, body=TEXT)
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_commit_the_sweep_sends_it_later(throwaway_redis, elks, caplog):  # N1
    with celery_broker(throwaway_redis.url):
        throwaway_redis.stop()
        with caplog.at_level(logging.WARNING, logger="integrations.services"), \
                transaction.atomic():
            message = enqueue_sms()
        # The commit went through; the message waits for the broker.
        assert row(message).status == "pending"
        assert f"Outbox message {message.pk} not enqueued" in caplog.text

        throwaway_redis.start()
        with worker_thread():
            assert sweep_outbox() == 1
            wait_until(lambda: row(message).status == "sent", what="the swept SMS")
    assert len(elks.received) == 1


@pytest.mark.django_db(transaction=True)
def test_skicka_igen_answers_even_with_the_broker_down(throwaway_redis, client):  # N1
    message = OutboxMessage.objects.create(channel="sms", recipient=MOBILE, body=TEXT,
                                           idempotency_key="k", status="failed",
                                           attempts=6, last_error="Sms-tjänsten gick inte att nå.")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    with celery_broker(throwaway_redis.url):
        throwaway_redis.stop()
        response = client.post(reverse("admin:integrations_outboxmessage_changelist"),
                               {"action": "resend", "_selected_action": [message.pk]})
    assert response.status_code == 302
    assert (row(message).status, row(message).attempts) == ("pending", 0)


def test_the_sweep_runs_every_30_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] == sweep_outbox.name
    assert entry["schedule"] == 30.0
