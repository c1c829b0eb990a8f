"""Login lockout after repeated failures, on django-axes (DESIGN S3).

Two limits. django-axes counts failures of one username from one address and locks
that pair (LOGIN_FAILURE_LIMIT). Across addresses, failures of one username are
counted here, in the cache; past LOGIN_ACCOUNT_FAILURE_LIMIT within the window, the
account is held: for the window, it can be signed in to only from an address it has
signed in from before (django-axes' access log), so guessing from many addresses is
slowed without locking the real user out at their own computer. The system
administrators are told once per hold.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import unicodedata

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import mail_admins
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import client_address

logger = logging.getLogger(__name__)

USERNAME_MAX_LENGTH: int = get_user_model()._meta.get_field("username").max_length
# No one types a longer password; a longer one is refused before it is hashed.
PASSWORD_MAX_LENGTH = 1024


def normalised_username(username: str | None) -> str | None:
    """The username as the counters know it: as the login form normalises it, cut at
    the longest a username can be, so an over-long one still counts, always as the same
    name (its first characters), however its tail varies."""
    if username is None:
        return None
    return unicodedata.normalize("NFKC", str(username))[:USERNAME_MAX_LENGTH]


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """django-axes' AXES_USERNAME_CALLABLE: its column holds 255 characters, and a
    longer name made the login a 500 that was not counted."""
    if credentials:
        return normalised_username(credentials.get("username"))
    return normalised_username(request.POST.get("username"))


def failed_without_trying(request: HttpRequest, username: str) -> None:
    """Count an attempt the form refused before authentication, as a wrong password.

    Both counters (and a lockout already in force) apply to it as to any failure.
    """
    user_login_failed.send(sender=__name__, credentials={"username": username},
                           request=request)


def _key(kind: str, username: str) -> str:
    # Hashed: a key of any length and characters, and no usernames in the cache's keys.
    return f"login-account:{kind}:{hashlib.sha256(username.encode()).hexdigest()}"


def held_until(username: str) -> float | None:
    """When the hold on this account ends (a Unix time), or None if it is not held."""
    return cache.get(_key("held", username))


def is_known_address(username: str, address: str | None) -> bool:
    """Whether the account has signed in from this address within LOGIN_KNOWN_ADDRESS_DAYS."""
    if not address:
        return False
    since = timezone.now() - settings.LOGIN_KNOWN_ADDRESS_AGE
    return AccessLog.objects.filter(username=username, ip_address=address,
                                    attempt_time__gte=since).exists()


def count_account_failure(sender, credentials: dict, request: HttpRequest | None = None,
                          **kwargs) -> None:
    """user_login_failed: one more failure for the account, from any address."""
    username = normalised_username(credentials.get("username"))
    if request is None or not username or getattr(request, "login_held_until", None):
        return  # no one at the login page, or refused by the hold itself: no guess made
    window = int(settings.LOGIN_ACCOUNT_WINDOW.total_seconds())
    key = _key("failures", username)
    cache.add(key, 0, timeout=window)  # the window starts at its first failure
    try:
        failures = cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, failures := 1, timeout=window)
    if failures >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT and \
            cache.add(_key("held", username), time.time() + window, timeout=window):
        _tell_admins(username, failures)


def _tell_admins(username: str, failures: int) -> None:
    minutes = int(settings.LOGIN_ACCOUNT_WINDOW.total_seconds() // 60)
    # Where the failures came from, as django-axes counted them (no passwords there).
    addresses = list(AccessAttempt.objects.filter(username=username)
                     .values_list("ip_address", "failures_since_start")
                     .order_by("-failures_since_start", "ip_address"))
    logger.warning(
        "Login to account %r failed %d times within %d minutes, from %d addresses; "
        "it is held for %d minutes: only addresses it has signed in from before may "
        "sign in to it.", username, failures, minutes, len(addresses), minutes)
    if not get_user_model().objects.filter(username=username).exists():
        return  # no account at risk: a mail per made-up name would only flood the admins
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Många misslyckade inloggningar för kontot %(username)s") % {
            "username": " ".join(username.split())}  # a header has no line breaks
        lines = [
            _("Inloggningen till kontot %(username)s har misslyckats %(failures)s gånger "
              "inom %(minutes)s minuter. De närmaste %(minutes)s minuterna kan kontot "
              "bara loggas in från adresser som det har loggat in från förut.") % {
                "username": username, "failures": failures, "minutes": minutes},
            "",
            _("Misslyckade försök per adress:"),
            *(f"  {address}: {count}" for address, count in addresses),
        ]
    try:
        mail_admins(subject, "\n".join(lines))
    except Exception as error:  # the log line above still tells; the login goes on
        logger.warning("The administrators could not be mailed: %r", error)


class LoginLockoutBackend(AxesStandaloneBackend):
    """Counts and refuses logins over HTTP only.

    Code that authenticates without a request (a management command, a shell) is
    not someone at the login page, and django-axes would otherwise refuse it.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs):
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        name = normalised_username(username)
        until = held_until(name) if name else None
        if until is not None and not is_known_address(
                name, getattr(request, "axes_ip_address", None) or client_address(request)):
            # Shown by django-axes' middleware through locked_out() below; the password
            # is not even tried, so the hold lets no guess through.
            request.login_held_until = until
            request.axes_locked_out = True
            raise PermissionDenied
        return None


def locked_out(request: HttpRequest, *args) -> HttpResponse:
    """The login page again, saying in Swedish why the login is refused (429)."""
    if until := getattr(request, "login_held_until", None):
        minutes = max(1, math.ceil((until - time.time()) / 60))
        message = ngettext(
            "För många misslyckade inloggningsförsök för det här användarnamnet. Försök "
            "igen om %(minutes)s minut. Kontakta din administratör om det inte var du som "
            "försökte logga in.",
            "För många misslyckade inloggningsförsök för det här användarnamnet. Försök "
            "igen om %(minutes)s minuter. Kontakta din administratör om det inte var du som "
            "försökte logga in.", minutes) % {"minutes": minutes}
    else:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        message = _("För många misslyckade inloggningsförsök. Inloggningen är spärrad i "
                    "%(minutes)s minuter. Kontakta din administratör om du har glömt "
                    "lösenordet.") % {"minutes": minutes}
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    return render(request, "registration/login.html",
                  {"form": form, "locked_out": message,
                   "next": request.POST.get("next", "")}, status=429)
