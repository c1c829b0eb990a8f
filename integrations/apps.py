from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrationer")

    def ready(self) -> None:
        # Registers the system checks of the e-ID and message backends.
        from integrations import checks  # noqa: F401
        from integrations.eid import checks as eid_checks  # noqa: F401
