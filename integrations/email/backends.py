"""A Django e-mail backend for development: logs each mail and keeps it in the
development inbox (DESIGN N3), so the Inkorg page shows it."""

from __future__ import annotations

import logging

from django.core.mail.backends.base import BaseEmailBackend

from integrations.models import DevInboxMessage

logger = logging.getLogger(__name__)


class DevInboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            # Logged, not printed like Django's console backend: a log line passes the
            # filter that redacts personal links (G5), whatever process sends it.
            logger.info("E-mail to %s, subject %r:\n%s", ", ".join(message.recipients()),
                        message.subject, message.body)
            DevInboxMessage.keep(channel=DevInboxMessage.Channel.EMAIL,
                                 recipient=", ".join(message.recipients()),
                                 subject=message.subject, body=message.body,
                                 reference=getattr(message, "outbox_reference", ""))
        return len(email_messages)
