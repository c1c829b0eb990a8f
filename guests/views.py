"""Pages for people outside the staff: a personal link, and where it leads (DESIGN G4, G5)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from guests.models import Participant
from guests.services import LinkProblem, link_resolve

SESSION_KEY = "join_participant"


def client_address(request: HttpRequest) -> str:
    """The client's address: behind one of our proxies, the one it appended to
    X-Forwarded-For; otherwise the connection's own. IPv6 counts per /64."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    try:
        peer = ipaddress.ip_address(address)
        if forwarded and any(peer in ipaddress.ip_network(net)
                             for net in settings.TRUSTED_PROXIES):
            address = forwarded.split(",")[-1].strip()
            peer = ipaddress.ip_address(address)
    except ValueError:
        return address
    if peer.version == 6:
        return str(ipaddress.ip_network(f"{peer}/64", strict=False))
    return str(peer)


@require_GET
@never_cache
@ratelimit(key=lambda group, request: client_address(request),
           rate=lambda group, request: settings.INVITATION_REDEEM_RATE, block=False)
def redeem(request: HttpRequest, token: str) -> HttpResponse:
    """Exchange a personal link for a join session, then leave the token behind.

    The browser moves on to an address without the token, so it reaches neither
    Referer headers nor the server's access logs after this one request. Attempts
    are limited per address, so links cannot be guessed at speed (G5).
    """
    if getattr(request, "limited", False):
        return render(request, "guests/link_problem.html",
                      {"problem": LinkProblem("too_many")}, status=429)
    try:
        participant = link_resolve(token)
    except LinkProblem as problem:
        return render(request, "guests/link_problem.html", {"problem": problem}, status=410
                      if problem.code != "unknown" else 404)
    request.session.cycle_key()
    request.session[SESSION_KEY] = participant.pk
    return redirect("guests:join")


def participant_for_session(request: HttpRequest) -> Participant | None:
    """The participant whose link opened this browser session, if it still holds."""
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    return (Participant.objects.active().select_related("visit__owner")
            .filter(pk=pk).first())


@require_GET
@never_cache
def join(request: HttpRequest) -> HttpResponse:
    """Inbjudan: when, with whom and what happens next."""
    participant = participant_for_session(request)
    if participant is None:
        return render(request, "guests/link_problem.html",
                      {"problem": LinkProblem("revoked")}, status=410)
    visit = participant.visit
    return render(request, "guests/join.html", {
        "participant": participant, "visit": visit,
        "starts_at": timezone.localtime(visit.starts_at),
    })
