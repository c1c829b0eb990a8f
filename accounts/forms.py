from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import lockout


class LengthLimitedLogin:
    """Refuses an over-long username or password before authentication, and counts
    the attempt as a failed login (S3).

    Django's login form shows the username's limit to the browser only, and django-axes
    stores the name in a 255-character column: a longer one was a 500, not counted.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            if len(username) > lockout.USERNAME_MAX_LENGTH:
                message = _("Användarnamnet är för långt.")
            elif len(password) > lockout.PASSWORD_MAX_LENGTH:
                message = _("Lösenordet är för långt.")
            else:
                return super().clean()
            lockout.failed_without_trying(self.request, username)
            raise ValidationError(message, code="too_long")
        return super().clean()


class LoginForm(LengthLimitedLogin, AuthenticationForm):
    pass


class AdminLoginForm(LengthLimitedLogin, AdminAuthenticationForm):
    pass
