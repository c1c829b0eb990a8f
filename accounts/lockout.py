"""Login lockout after repeated failures, on django-axes (DESIGN S3)."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginLockoutBackend(AxesStandaloneBackend):
    """Counts and refuses logins over HTTP only.

    Code that authenticates without a request (a management command, a shell) is
    not someone at the login page, and django-axes would otherwise refuse it.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def locked_out(request: HttpRequest, *args) -> HttpResponse:
    """The login page again, saying in Swedish why the login is refused (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    message = _("För många misslyckade inloggningsförsök. Inloggningen är spärrad i "
                "%(minutes)s minuter. Kontakta din administratör om du har glömt "
                "lösenordet.") % {"minutes": minutes}
    return render(request, "registration/login.html",
                  {"form": form, "locked_out": message,
                   "next": request.POST.get("next", "")}, status=429)
