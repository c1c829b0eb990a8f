"""SMS behind a small interface (DESIGN N2); SMS_BACKEND names the class."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> str:
        """Send `body` to the E.164 number `to` and return the provider's message id.

        `reference` is the outbox message's idempotency key. Raises
        TransientSendError or PermanentSendError (integrations.errors).
        """
        ...


def get_sms_backend() -> SmsBackend:
    # Built per message rather than cached: cheap, and it always reads the current settings.
    return import_string(settings.SMS_BACKEND)()
