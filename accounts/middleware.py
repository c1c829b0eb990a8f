"""Staff sessions end after a spell without activity (DESIGN S3)."""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

SESSION_KEY = "last_activity"
# Writing the session on every request would be a database write each time;
# a minute's precision is plenty for a timeout of half an hour.
RESOLUTION_SECONDS = 60
# Requests the page makes by itself (a live re-fetch) keep nobody signed in.
PASSIVE_HEADER = "HTTP_X_PASSIVE_REQUEST"


def seconds_left(request: HttpRequest) -> float:
    """How long the signed-in session has before it ends for being idle."""
    last = request.session.get(SESSION_KEY, time.time())
    return settings.STAFF_IDLE_TIMEOUT.total_seconds() - (time.time() - last)


def mark_active(request: HttpRequest, *, force: bool = False) -> None:
    last = request.session.get(SESSION_KEY, 0)
    if force or time.time() - last >= RESOLUTION_SECONDS:
        request.session[SESSION_KEY] = time.time()


def close_sockets_on_logout(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Signed out here, signed out everywhere: the session's open sockets close (S3)."""
    from visits.realtime import session_ended

    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        session_ended(session_key)


def session_is_live(session_key: str | None) -> bool:
    """Whether a staff session still exists and has not run out of idle time (S3).

    For sockets, which see no requests: they ask at their heartbeat.
    """
    if not session_key:
        return False
    return _is_live(import_module(settings.SESSION_ENGINE).SessionStore(session_key))


def live_sessions(session_keys: set[str]) -> set[str]:
    """Which of these sessions session_is_live finds live: in one query when the
    sessions are in the database, as the room's heartbeats ask for many at once."""
    keys = {key for key in session_keys if key}
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db" or not keys:
        return {key for key in keys if session_is_live(key)}
    from django.contrib.sessions.models import Session

    decode = import_module(settings.SESSION_ENGINE).SessionStore().decode
    stored = Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
    return {key for key, data in stored.values_list("session_key", "session_data")
            if _is_live(decode(data))}


def _is_live(session) -> bool:
    if session.get("_auth_user_id") is None:  # gone, expired, or signed out
        return False
    last = session.get(SESSION_KEY)
    return last is None or time.time() - last < settings.STAFF_IDLE_TIMEOUT.total_seconds()


def start_idle_clock(sender, request: HttpRequest, user, **kwargs) -> None:
    """Signing in is activity; stored with the login's own session write."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = time.time()


class IdleTimeoutMiddleware:
    """Sign staff out after STAFF_IDLE_TIMEOUT without a request they made themselves."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            if SESSION_KEY in request.session and seconds_left(request) <= 0:
                logout(request)
                messages.info(request, _("Du har loggats ut eftersom du inte har varit aktiv "
                                         "på en stund. Logga in igen för att fortsätta."))
                if request.htmx:
                    return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
                if request.method != "GET":
                    return redirect_to_login("/")
                return redirect_to_login(request.get_full_path())
            if not request.META.get(PASSIVE_HEADER):
                mark_active(request)
        return self.get_response(request)
