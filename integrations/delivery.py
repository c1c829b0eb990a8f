"""Hands an outbox message to its channel's backend."""

from __future__ import annotations

from integrations.email import send_email
from integrations.models import OutboxMessage
from integrations.portal import get_portal_backend
from integrations.sms import get_sms_backend


def deliver(message: OutboxMessage) -> str:
    """Send one message through the backend its channel uses; return the provider's id.

    Raises TransientSendError or PermanentSendError (integrations.errors).
    """
    reference = message.idempotency_key
    match message.channel:
        case OutboxMessage.Channel.SMS:
            return get_sms_backend().send(to=message.recipient, body=message.body,
                                          reference=reference)
        case OutboxMessage.Channel.EMAIL:
            return send_email(to=message.recipient, subject=message.subject,
                              body=message.body, reference=reference)
        case OutboxMessage.Channel.PORTAL:
            return get_portal_backend().send(personnummer=message.recipient,
                                             subject=message.subject, body=message.body,
                                             reference=reference)
    raise ValueError(f"unknown channel {message.channel!r}")
