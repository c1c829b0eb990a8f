from django.conf import settings
from django.http import HttpRequest


def debug_inbox(request: HttpRequest) -> dict:
    """Whether the development Inkorg exists (DESIGN N3: only with DEBUG on)."""
    return {"debug_inbox": settings.DEBUG}


def idle_timeout(request: HttpRequest) -> dict:
    """The staff idle timeout and its warning, for the page's timer (DESIGN S3)."""
    return {"idle_timeout_seconds": int(settings.STAFF_IDLE_TIMEOUT.total_seconds()),
            "idle_warning_seconds": int(settings.STAFF_IDLE_WARNING.total_seconds())}
