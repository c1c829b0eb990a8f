from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Personal och vårdenheter")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from accounts.lockout import count_account_failure
        from accounts.middleware import close_sockets_on_logout, start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="accounts.start_idle_clock")
        user_logged_out.connect(close_sockets_on_logout,
                                dispatch_uid="accounts.close_sockets_on_logout")
        user_login_failed.connect(count_account_failure,
                                  dispatch_uid="accounts.count_account_failure")
