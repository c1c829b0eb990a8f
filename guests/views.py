"""Pages for people outside the staff: a personal link, and where it leads (DESIGN G4, G5).

Inbjudan → Legitimera (patient and agent only) → Testa utrustning → Väntrum and
Videomöte. Each page after the first needs the join session that the link started,
and the ones after Legitimera also an e-ID identification that matched the invitation.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
from collections.abc import Callable
from functools import wraps

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling
from django_ratelimit.decorators import ratelimit

from audit.services import client_address as audit_client_address
from guests.joining import (
    EID_SESSION_KEY,
    LINK_SESSION_KEY,
    SESSION_KEY,
    is_identified,
    participant_for_session,
    session_link,
)
from guests.models import InvitationLink, Participant
from guests.services import LinkProblem, hash_token, link_check, link_mark_opened, link_resolve
from integrations import eid
from integrations.eid.messages import RFA
from visits.models import VideoVisit

logger = logging.getLogger(__name__)

# The e-ID order in progress, kept in the (database-backed) session only: the
# browser never sees qrStartSecret or the orderRef (G4).
ORDER_SESSION_KEY = "join_eid_order"
# Why the last identification did not go through, shown once on the Legitimera page.
EID_PROBLEM_SESSION_KEY = "join_eid_problem"


def client_address(request: HttpRequest) -> str:
    """What the link rate limit counts: the client's address as the access log sees it
    (audit.services.client_address), IPv6 per /64 network."""
    address = audit_client_address(request) or request.META.get("REMOTE_ADDR", "")
    try:
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
    request.session[LINK_SESSION_KEY] = participant.links.get(token_hash=hash_token(token)).pk
    return redirect("guests:join")


def link_problem(request: HttpRequest, code: str, visit: VideoVisit | None = None
                 ) -> HttpResponse:
    return render(request, "guests/link_problem.html",
                  {"problem": LinkProblem(code, visit=visit)}, status=410)


def _link_gone(request: HttpRequest) -> HttpResponse:
    """The page for a join session whose link no longer holds, saying why: removed, a
    new link sent, or the visit over."""
    pk, link_pk = session_link(request.session)
    link = (InvitationLink.objects.select_related("participant__visit__care_unit")
            .filter(pk=link_pk, participant=pk).first() if link_pk else None)
    if link is None:
        return link_problem(request, "revoked")
    try:
        link_check(link)
    except LinkProblem as problem:
        return render(request, "guests/link_problem.html", {"problem": problem}, status=410)
    return link_problem(request, "revoked", link.participant.visit)


def joining(*, identified: bool) -> Callable:
    """The view gets the session's participant; a dead link or visit gets the page saying why.

    `identified`: the page needs a matched e-ID first when the participant's kind does.
    """
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            participant = participant_for_session(request.session)
            if participant is None:
                return _link_gone(request)
            visit = participant.visit
            if visit.state == VideoVisit.State.CANCELLED:
                return link_problem(request, "cancelled", visit)
            if visit.state == VideoVisit.State.FINISHED:
                return link_problem(request, "finished", visit)
            if identified and not is_identified(request.session, participant):
                url = reverse("guests:eid")
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            return view(request, participant, *args, **kwargs)
        return never_cache(wrapper)
    return decorator


def next_step(request: HttpRequest, participant: Participant) -> str:
    if not is_identified(request.session, participant):
        return reverse("guests:eid")
    return reverse("guests:check")


@require_GET
@joining(identified=False)
def join(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Inbjudan: when, with whom and what happens next."""
    visit = participant.visit
    return render(request, "guests/join.html", {
        "participant": participant, "visit": visit,
        "starts_at": timezone.localtime(visit.starts_at),
        "next_url": next_step(request, participant),
    })


@require_POST
@joining(identified=False)
def opened(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Sent by the invitation page once it runs in a browser (see link_mark_opened)."""
    link_mark_opened(request.session[LINK_SESSION_KEY])
    return HttpResponse(status=204)


# Legitimera (G4)

def _order(request: HttpRequest) -> eid.Order | None:
    stored = request.session.get(ORDER_SESSION_KEY)
    if stored is None:
        return None
    return eid.Order(order_ref=stored["order_ref"], auto_start_token=stored["auto_start_token"],
                     qr_start_token=stored["qr_start_token"],
                     qr_start_secret=stored["qr_start_secret"],
                     started_at=datetime.datetime.fromisoformat(stored["started_at"]))


def _forget_order(request: HttpRequest, *, cancel: bool) -> None:
    order = _order(request)
    request.session.pop(ORDER_SESSION_KEY, None)
    if order is not None and cancel:
        try:
            eid.cancel(order.order_ref)
        except eid.EidError:
            logger.info("e-ID order could not be cancelled; it expires by itself")


def simulator_enabled() -> bool:
    return settings.DEBUG and settings.EID_BACKEND.endswith(".SimulatorEid")


@require_GET
@joining(identified=False)
def eid_page(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Legitimera: start BankID, then the QR code and BankID's messages until it is done."""
    if is_identified(request.session, participant):
        return redirect("guests:check")
    order = _order(request)
    return render(request, "guests/eid.html", {
        "participant": participant, "order": order,
        "problem": request.session.pop(EID_PROBLEM_SESSION_KEY, ""),
        "qr_svg": _qr_svg(order) if order else "",
        "message": _progress(eid.CollectResult(eid.Status.PENDING, "outstandingTransaction")),
        "simulator": simulator_enabled(),
        # For the mismatch path of the demo: a valid number that is not the invited one.
        "someone_else": "191212121212" if participant.personnummer != "191212121212"
        else "194107086995",
    })


@require_POST
@joining(identified=False)
def eid_start(request: HttpRequest, participant: Participant) -> HttpResponse:
    if not participant.requires_eid:
        return redirect("guests:check")
    _forget_order(request, cancel=True)
    try:
        order = eid.start_auth(end_user_ip=request.META["REMOTE_ADDR"])
    except eid.EidUnavailable:
        return redirect("guests:eid_unavailable")
    except eid.EidError as error:
        request.session[EID_PROBLEM_SESSION_KEY] = str(error.user_message)
        return redirect("guests:eid")
    request.session[ORDER_SESSION_KEY] = {
        "order_ref": order.order_ref, "auto_start_token": order.auto_start_token,
        "qr_start_token": order.qr_start_token, "qr_start_secret": order.qr_start_secret,
        "started_at": order.started_at.isoformat(),
    }
    return redirect("guests:eid")


def _progress(result: eid.CollectResult) -> str:
    """BankID's message while the order is pending, but not its "Starta BankID-appen.",
    which the page's instruction above the QR code already gives: one instruction."""
    message = str(result.user_message())
    return "" if message == str(RFA["RFA1"]) else message


def _qr_svg(order: eid.Order) -> str:
    qr = segno.make(eid.qr_data(order, timezone.now()), error="l")
    return qr.svg_inline(scale=5, border=2, omitsize=False)


@require_GET
@joining(identified=False)
def eid_qr(request: HttpRequest, participant: Participant) -> HttpResponse:
    """The animated QR code as it is this second (polled every second)."""
    order = _order(request)
    if order is None:
        return HttpResponseStopPolling()
    return render(request, "guests/eid.html#eid-qr", {"qr_svg": _qr_svg(order)})


@require_GET
@joining(identified=False)
def eid_collect(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Where the identification stands (polled every two seconds)."""
    order = _order(request)
    if order is None:
        return HttpResponseClientRedirect(reverse("guests:eid"))
    try:
        result = eid.collect(order.order_ref)
    except eid.EidUnavailable:
        _forget_order(request, cancel=False)
        return HttpResponseClientRedirect(reverse("guests:eid_unavailable"))
    except eid.EidError as error:
        return _eid_failed(request, str(error.user_message))
    if result.status == eid.Status.PENDING:
        return render(request, "guests/eid.html#eid-message", {"message": _progress(result)})
    if result.status == eid.Status.FAILED:
        return _eid_failed(request, str(result.user_message()))
    _forget_order(request, cancel=False)
    if not _same_person(result.person.personnummer, participant.personnummer):
        # Whoever identified is not the invited person: they must not enter (G4).
        logger.warning("e-ID mismatch: participant %s of visit %s identified as someone "
                       "else; refused", participant.pk, participant.visit_id)
        request.session[EID_PROBLEM_SESSION_KEY] = _(
            "Du legitimerade dig med ett annat personnummer än det som inbjudan gäller. "
            "Bara den som är inbjuden kan ansluta med den här länken. Kontakta mottagningen "
            "om du tror att det är fel.")
        return HttpResponseClientRedirect(reverse("guests:eid"))
    request.session.cycle_key()
    request.session[EID_SESSION_KEY] = participant.pk
    return HttpResponseClientRedirect(reverse("guests:check"))


def _same_person(identified: str, invited: str) -> bool:
    digits = "".join(ch for ch in invited if ch.isdigit())
    return len(digits) == 12 and identified == digits


@require_GET
@joining(identified=False)
def eid_unavailable(request: HttpRequest, participant: Participant) -> HttpResponse:
    """e-ID does not work now, whoever tries: not the person's doing, so the page says
    so and whom to call; staff see it too (integrations.alerts). "Försök igen" starts
    another identification."""
    care_unit = participant.visit.care_unit
    return render(request, "guests/eid_unavailable.html", {
        "participant": participant, "phone": care_unit.phone_display,
        "phone_uri": care_unit.phone,
    }, status=503)


def _eid_failed(request: HttpRequest, message: str) -> HttpResponse:
    _forget_order(request, cancel=False)
    request.session[EID_PROBLEM_SESSION_KEY] = message
    return HttpResponseClientRedirect(reverse("guests:eid"))


@require_POST
@joining(identified=False)
def eid_cancel(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Avbryt, or the page left before the identification ended: the order is cancelled."""
    _forget_order(request, cancel=True)
    if request.POST.get("beacon"):
        return HttpResponse(status=204)
    return redirect("guests:join")


@require_POST
@joining(identified=False)
def eid_simulate(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Development only: complete the simulator's order as if BankID had answered."""
    order = _order(request)
    if not simulator_enabled():
        raise Http404
    if order is not None:
        eid.get_backend().complete(order.order_ref, request.POST.get("personnummer", ""))
    return redirect("guests:eid")


# Testa utrustning, Väntrum and Videomöte

@require_GET
@joining(identified=True)
def check(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Testa utrustning: camera preview, microphone level, speaker test, device choice."""
    return render(request, "guests/check.html", {"participant": participant})


@require_GET
@joining(identified=True)
def room(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Väntrum, then Videomöte once staff let them in: by starting it, or later (R2)."""
    return render(request, "guests/room.html", {"participant": participant,
                                                "visit": participant.visit})
