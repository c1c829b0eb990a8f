"""Keeps each 1177 message in the development inbox (DESIGN N3) instead of sending it."""

from integrations.models import DevInboxMessage


class DatabasePortalBackend:
    def send(self, *, personnummer: str, subject: str, body: str, reference: str) -> str:
        kept = DevInboxMessage.keep(channel=DevInboxMessage.Channel.PORTAL,
                                    recipient=personnummer, subject=subject, body=body,
                                    reference=reference)
        return f"dev-{kept.pk}"
