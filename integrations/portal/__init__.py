"""The patient's 1177 inbox behind a small interface (DESIGN N2); PORTAL_BACKEND names the class."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class PortalBackend(Protocol):
    def send(self, *, personnummer: str, subject: str, body: str, reference: str) -> str:
        """Put a message in the 1177 inbox of the 12-digit `personnummer`; return its id there.

        `reference` is the outbox message's idempotency key. Raises
        TransientSendError or PermanentSendError (integrations.errors).
        """
        ...


def get_portal_backend() -> PortalBackend:
    return import_string(settings.PORTAL_BACKEND)()
