"""A Django e-mail backend for development: prints like the console backend and keeps
each mail in the development inbox (DESIGN N3), so the Inkorg page shows it."""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from integrations.models import DevInboxMessage


class DevInboxEmailBackend(ConsoleEmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = super().send_messages(email_messages)
        DevInboxMessage.objects.bulk_create(
            DevInboxMessage(
                channel=DevInboxMessage.Channel.EMAIL,
                recipient=", ".join(message.recipients()),
                subject=message.subject,
                body=message.body,
            )
            for message in email_messages
        )
        return sent
