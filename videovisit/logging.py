"""Logging that keeps secrets out: personal links' tokens never reach a log line (G5).

RedactLinkTokens sits on the handlers, not on loggers, so that it sees every record
that a handler writes, whichever logger it came from: settings.LOGGING puts it on the
web server's, and videovisit.celery on the handlers Celery's worker and beat make.
"""

from __future__ import annotations

import logging
import re

# /in/<token>/ as guests.urls spells it; the token is everything up to the next slash.
LINK_TOKEN = re.compile(r"(/in/)[^/\s]+")
REDACTED = r"\1…"
# Formats a traceback the way any handler's formatter would, to redact it once.
_TRACEBACK = logging.Formatter()


def redact(text: str) -> str:
    return LINK_TOKEN.sub(REDACTED, text) if "/in/" in text else text


class RedactLinkTokens(logging.Filter):
    """Replace the token of any personal link in a record with "…": in its message, and
    in its traceback, which may quote a message body an exception carried."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/in/" in message:
            record.msg = redact(message)
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters keep to exc_text once it is set, so the redacted text is what
            # every handler writes.
            record.exc_text = _TRACEBACK.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def redact_handlers(logger: logging.Logger) -> None:
    """Put the filter on each of the logger's handlers that lacks it."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactLinkTokens) for f in handler.filters):
            handler.addFilter(RedactLinkTokens())
