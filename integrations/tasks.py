"""Celery tasks that send the outbox (DESIGN N1).

Retries are not Celery retries: a countdown on the Redis broker is lost or
redelivered unpredictably, so the due time is stored on the row and the
periodic sweep picks it up.
"""

from __future__ import annotations

import datetime
import logging
import random

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations import alerts
from integrations.delivery import deliver
from integrations.errors import PermanentSendError, TransientSendError
from integrations.models import OutboxMessage
from integrations.services import outbox_claim, outbox_record_failure, outbox_record_sent

logger = logging.getLogger(__name__)


def next_attempt_time(attempts: int) -> datetime.datetime | None:
    """When to try again after `attempts` failed tries, or None when it is time to give up."""
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return None
    delay = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1),
                settings.OUTBOX_RETRY_MAX_SECONDS)
    # Up to half again at random, so messages that failed together do not retry
    # together; the delay still at least doubles each time until the cap.
    delay += random.uniform(0, delay / 2)
    return timezone.now() + datetime.timedelta(seconds=delay)


@shared_task(ignore_result=True)
def send_outbox_message(message_id: int) -> None:
    """Send one outbox message if it is due and no other task is sending it."""
    lease = datetime.timedelta(seconds=settings.OUTBOX_SENDING_LEASE_SECONDS)
    message = outbox_claim(message_id=message_id, lease=lease)
    if message is None:
        return
    try:
        provider_message_id = deliver(message)
    except PermanentSendError as error:
        # This message's own fault (a refused number, a link gone): the visit page
        # shows it; the service itself may be fine.
        logger.warning("Outbox message %s failed: %s", message.pk, error)
        outbox_record_failure(message=message, error=str(error), retry_at=None)
    except TransientSendError as error:
        logger.info("Outbox message %s attempt %s failed: %s", message.pk, message.attempts, error)
        outbox_record_failure(message=message, error=str(error),
                              retry_at=next_attempt_time(message.attempts))
        # Staff hear of it now, not only when the retries run out.
        alerts.service_failed(message.channel)
    except Exception:
        # A fault of ours or an unforeseen answer: retried like a transient error,
        # bounded by the attempt limit, so it reaches staff as a failure.
        logger.exception("Outbox message %s attempt %s raised", message.pk, message.attempts)
        outbox_record_failure(message=message, error=_("Oväntat fel vid sändningen."),
                              retry_at=next_attempt_time(message.attempts))
        alerts.service_failed(message.channel)
    else:
        outbox_record_sent(message=message, provider_message_id=provider_message_id)
        alerts.service_works(message.channel)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Enqueue every due message: retries, rows not enqueued at commit, sends a dead worker left."""
    due = list(
        OutboxMessage.objects.due()
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: settings.OUTBOX_SWEEP_BATCH]
    )
    for message_id in due:
        send_outbox_message.delay(message_id)
    return len(due)
