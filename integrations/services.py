"""State changes of the integrations app: the transactional outbox (DESIGN N1)."""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# In a stored body, where the personal link goes (see OutboxMessage.link_ref).
OUTBOX_LINK_PLACEHOLDER = "[[länk]]"


@transaction.atomic
def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    idempotency_key: str | None = None,
    visit=None,
    link_ref: str = "",
) -> OutboxMessage:
    """Write a message that is sent once the surrounding transaction commits.

    A key already used gives back the message written with it, so an operation
    repeated (a double click, a retried request) sends nothing twice. Derive the
    key from what causes the message, e.g. f"invitation:{participant.pk}".
    """
    key = idempotency_key or uuid.uuid4().hex
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    message = OutboxMessage(
        channel=channel, recipient=recipient, subject=subject, body=body, idempotency_key=key,
        visit=visit, link_ref=link_ref,
    )
    message.full_clean(validate_unique=False)
    try:
        # A savepoint: a concurrent twin that commits first must not break the caller's
        # transaction, only make this insert give way to it.
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return OutboxMessage.objects.get(idempotency_key=key)
    _send_after_commit(message.pk)
    return message


@transaction.atomic
def outbox_resend(*, message: OutboxMessage) -> OutboxMessage:
    """Send a failed message again, from a fresh count of attempts ("Skicka igen")."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != Status.FAILED:
        raise ValidationError(_("Bara meddelanden som misslyckats kan skickas igen."))
    message.status = Status.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    # last_error stays: until the message goes out it is still the latest news.
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    _send_after_commit(message.pk)
    return message


@transaction.atomic
def outbox_claim(*, message_id: int, lease: datetime.timedelta) -> OutboxMessage | None:
    """Take a due message for sending, or None when it is not due, done, or taken.

    The claim is committed before the provider is called: a second task for the
    same message finds it "sending" and leaves it. If this sender dies, the
    sweep takes the message again once `lease` has passed.
    """
    now = timezone.now()
    message = (
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .due(now)
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return None
    message.status = Status.SENDING
    message.attempts += 1
    message.next_attempt_at = now + lease
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    return message


@transaction.atomic
def outbox_record_sent(*, message: OutboxMessage, provider_message_id: str) -> None:
    """Mark a claimed message sent."""
    message.status = Status.SENT
    message.sent_at = timezone.now()
    message.provider_message_id = provider_message_id[:200]
    message.last_error = ""
    _save_if_still_claimed(message, ["status", "sent_at", "provider_message_id", "last_error"])


@transaction.atomic
def outbox_record_failure(
    *, message: OutboxMessage, error: str, retry_at: datetime.datetime | None
) -> None:
    """Note why a claimed message did not go out: due again at `retry_at`, or failed for good."""
    message.last_error = error[:300]
    if retry_at is None:
        message.status = Status.FAILED
    else:
        message.status = Status.PENDING
        message.next_attempt_at = retry_at
    _save_if_still_claimed(message, ["status", "last_error", "next_attempt_at"])


def _save_if_still_claimed(message: OutboxMessage, fields: list[str]) -> None:
    # The attempt number identifies this claim; if the lease ran out and the sweep
    # gave the message to another sender, that sender's outcome is the one to keep.
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, attempts=message.attempts
    ).update(**{field: getattr(message, field) for field in fields})
    if not updated:
        logger.warning("Outbox message %s was taken over by another sender; outcome %s not saved",
                       message.pk, message.status)


def _send_after_commit(message_id: int) -> None:
    from integrations.tasks import send_outbox_message

    def enqueue() -> None:
        try:
            send_outbox_message.delay(message_id)
        except Exception as error:
            # The committed row stays pending and the sweep sends it when the broker is
            # back; the request that wrote it must not fail over a message.
            logger.warning("Outbox message %s not enqueued; the sweep will send it: %r",
                           message_id, error)

    transaction.on_commit(enqueue)
