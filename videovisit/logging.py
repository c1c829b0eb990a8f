"""Logging that keeps secrets out: personal links' tokens never reach a log line (G5)."""

from __future__ import annotations

import logging
import re

# /in/<token>/ as guests.urls spells it; the token is everything up to the next slash.
LINK_TOKEN = re.compile(r"(/in/)[^/\s]+")


class RedactLinkTokens(logging.Filter):
    """Replace the token of any personal link in a record's message with "…"."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/in/" in message:
            record.msg = LINK_TOKEN.sub(r"\1…", message)
            record.args = None
        return True
