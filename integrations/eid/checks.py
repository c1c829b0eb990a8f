"""System checks for the e-ID backend (DESIGN G4, S3)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from integrations.eid.simulator import SimulatorEid


@register(Tags.security)
def eid_simulator_only_in_development(app_configs, **kwargs) -> list[Error]:
    # Not a deploy-only check: `migrate` runs the plain checks when a server starts,
    # so a production machine set up with the simulator refuses to come up at all.
    try:
        backend = import_string(settings.EID_BACKEND)
    except ImportError as exc:
        return [Error(f"EID_BACKEND names no class that can be imported: {exc}",
                      id="integrations.E002")]
    if not settings.DEBUG and isinstance(backend, type) and issubclass(backend, SimulatorEid):
        return [Error(
            "the e-ID simulator must not run in production",
            hint="Anyone could identify as anyone. Set EID_BACKEND to "
                 "integrations.eid.bankid.BankIdEid and the BANKID_* variables.",
            id="integrations.E001",
        )]
    return []
