from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.middleware import mark_active, seconds_left


@require_GET
@never_cache
@login_required
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds until the session ends for being idle; asked by the page, so not activity."""
    return JsonResponse({"seconds_left": max(0, int(seconds_left(request)))})


@require_POST
@login_required
def session_extend(request: HttpRequest) -> JsonResponse:
    """"Fortsätt vara inloggad": the person is still there (S3)."""
    mark_active(request, force=True)
    return JsonResponse({"seconds_left": int(seconds_left(request))})
