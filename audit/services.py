"""Writing the access log (DESIGN S1). Views reach it through the access helpers."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

from audit.models import AccessLogEntry

Action = AccessLogEntry.Action
Outcome = AccessLogEntry.Outcome


def _address(peer: str, forwarded: str) -> str | None:
    # Behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY) the peer is the proxy and the
    # client is the last address it appended to X-Forwarded-For; earlier entries
    # are whatever the client chose to send and are not trusted.
    # With DJANGO_TRUSTED_PROXIES set, only a connection from one of them is a proxy.
    address = peer
    if forwarded and _from_our_proxy(peer):
        address = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _from_our_proxy(peer: str) -> bool:
    if settings.TRUSTED_PROXIES:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net) for net in settings.TRUSTED_PROXIES)
    return bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None))


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from (also django-axes' notion of it)."""
    return _address(request.META.get("REMOTE_ADDR", ""),
                    request.META.get("HTTP_X_FORWARDED_FOR", ""))


def socket_client_address(scope: dict) -> str | None:
    """The address a WebSocket connection came from, as for an HTTP request."""
    client = scope.get("client") or [""]
    headers = dict(scope.get("headers") or [])
    return _address(client[0] or "", headers.get(b"x-forwarded-for", b"").decode("latin-1"))


def access_log_write(*, request: HttpRequest | None = None, scope: dict | None = None,
                     action: str, outcome: str = Outcome.ALLOWED, patient=None,
                     personnummer: str = "", protected_identity: bool | None = None,
                     care_unit=None, also_known_at: Sequence[str] | None = None,
                     obj=None) -> AccessLogEntry:
    """Add one row for the user of this request (or WebSocket scope); the caller
    decides what was reached and how.

    The row is written in the caller's transaction, if any, else at once: a refused
    request is logged even though the response is an error, and a view that records
    a change writes its row inside the change's transaction, so that neither commits
    without the other. `care_unit` is the unit through which the user reached the
    patient; `also_known_at` the HSA-ids of the patient's units that are not the
    user's, worked out here unless the caller knows them already.
    """
    if request is not None:
        user, address = request.user, client_address(request)
    else:
        user, address = scope["user"], socket_client_address(scope)
    if patient is not None:
        personnummer = personnummer or patient.personnummer
        if protected_identity is None:
            protected_identity = patient.protected_identity
        if also_known_at is None and user.is_authenticated:
            also_known_at = list(patient.care_units.exclude(pk__in=user.care_units.values("pk"))
                                 .order_by("hsa_id").values_list("hsa_id", flat=True))
    return AccessLogEntry.objects.create(
        user=user, action=action, outcome=outcome, care_unit=care_unit,
        patient=patient, personnummer=personnummer,
        protected_identity=bool(protected_identity), also_known_at=", ".join(also_known_at or ()),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        client_address=address,
    )


def action_for(request: HttpRequest, action: str | None) -> str:
    """The action a view names, or what its method implies: reading or changing."""
    if action is not None:
        return action
    return Action.VIEW if request.method in ("GET", "HEAD", "OPTIONS") else Action.UPDATE
