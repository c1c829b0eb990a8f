from django.conf import settings
from django.http import HttpRequest


def debug_inbox(request: HttpRequest) -> dict:
    """Whether the development Inkorg exists (DESIGN N3: only with DEBUG on)."""
    return {"debug_inbox": settings.DEBUG}
