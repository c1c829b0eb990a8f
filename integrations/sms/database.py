"""Keeps each SMS in the development inbox (DESIGN N3) instead of sending it."""

from integrations.models import DevInboxMessage


class DatabaseSmsBackend:
    def send(self, *, to: str, body: str, reference: str) -> str:
        kept = DevInboxMessage.keep(channel=DevInboxMessage.Channel.SMS, recipient=to,
                                    body=body, reference=reference)
        return f"dev-{kept.pk}"
