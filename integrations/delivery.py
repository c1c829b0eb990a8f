"""Hands an outbox message to its channel's backend."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from integrations.email import send_email
from integrations.errors import PermanentSendError
from integrations.models import OutboxMessage
from integrations.portal import get_portal_backend
from integrations.services import OUTBOX_LINK_PLACEHOLDER
from integrations.sms import get_sms_backend


def deliver(message: OutboxMessage) -> str:
    """Send one message through the backend its channel uses; return the provider's id.

    Raises TransientSendError or PermanentSendError (integrations.errors).
    """
    reference = message.idempotency_key
    body = body_to_send(message)
    match message.channel:
        case OutboxMessage.Channel.SMS:
            return get_sms_backend().send(to=message.recipient, body=body,
                                          reference=reference)
        case OutboxMessage.Channel.EMAIL:
            return send_email(to=message.recipient, subject=message.subject,
                              body=body, reference=reference)
        case OutboxMessage.Channel.PORTAL:
            return get_portal_backend().send(personnummer=message.recipient,
                                             subject=message.subject, body=body,
                                             reference=reference)
    raise ValueError(f"unknown channel {message.channel!r}")


def body_to_send(message: OutboxMessage) -> str:
    """The body with its personal link put in; PermanentSendError if the link is gone."""
    if not message.link_ref:
        return message.body
    resolve = import_string(settings.OUTBOX_LINK_RESOLVER)
    try:
        link = resolve(message.link_ref)
    except Exception as error:  # the resolver's own refusal, whatever its type
        raise PermanentSendError(_("Länken i meddelandet gäller inte längre. Skicka en ny "
                                   "länk med ”Ny länk”.")) from error
    return message.body.replace(OUTBOX_LINK_PLACEHOLDER, link)
