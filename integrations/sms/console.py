"""Writes each SMS to the log instead of sending it."""

import logging
import uuid

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str, reference: str) -> str:
        logger.info("SMS to %s (%s):\n%s", to, reference, body)
        return f"console-{uuid.uuid4().hex}"
