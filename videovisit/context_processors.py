from django.conf import settings
from django.http import HttpRequest

from integrations.alerts import failing_services


def debug_inbox(request: HttpRequest) -> dict:
    """Whether the development Inkorg exists (DESIGN N3: only with DEBUG on)."""
    return {"debug_inbox": settings.DEBUG}


def idle_timeout(request: HttpRequest) -> dict:
    """The staff idle timeout and its warning, for the page's timer (DESIGN S3)."""
    return {"idle_timeout_seconds": int(settings.STAFF_IDLE_TIMEOUT.total_seconds()),
            "idle_warning_seconds": int(settings.STAFF_IDLE_WARNING.total_seconds())}


def service_alerts(request: HttpRequest) -> dict:
    """Outside services failing now, for staff (integrations.alerts); looked up only
    when a page shows them."""
    return {"service_alerts": failing_services}
