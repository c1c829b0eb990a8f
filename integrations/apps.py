from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrationer")

    def ready(self) -> None:
        # Registers the e-ID backend's system checks.
        from integrations.eid import checks  # noqa: F401
