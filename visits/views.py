from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET


@require_GET
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Idag: the signed-in clinician's video visits of the day (DESIGN V1)."""
    return render(request, "visits/start.html", {"day": timezone.localdate()})
