from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    name = "guests"
    verbose_name = _("Deltagare och inbjudningar")

    def ready(self) -> None:
        from guests import checks  # noqa: F401  (registers them)
