"""System checks for the e-ID backend (DESIGN G4, S3)."""

import os

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from integrations.eid.simulator import SimulatorEid

BANKID_HINT = ("Set BANKID_CERT_PATH and BANKID_KEY_PATH to the relying party's certificate "
               "and key (PEM files the server's user can read), and BANKID_TEST_SERVER or "
               "BANKID_API_URL for the environment.")


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


@register(Tags.security, deploy=True)
def eid_backend_can_start(app_configs, **kwargs) -> list[Error]:
    """The backend is built as the first "Legitimera" would build it, so that a missing
    or unreadable certificate stops the deploy rather than every patient (G4)."""
    try:
        backend = import_string(settings.EID_BACKEND)
    except ImportError:
        return []  # integrations.E002 says so
    if isinstance(backend, type) and issubclass(backend, SimulatorEid):
        return []  # integrations.E001 refuses it in production
    from integrations.eid.bankid import BankIdEid  # pybankid and httpx only when asked

    if isinstance(backend, type) and issubclass(backend, BankIdEid):
        files = {name: getattr(settings, name)
                 for name in ("BANKID_CERT_PATH", "BANKID_KEY_PATH", "BANKID_CA_PATH")}
        missing = [name for name in ("BANKID_CERT_PATH", "BANKID_KEY_PATH") if not files[name]]
        if missing:
            return [Error(f"BankID has no relying party certificate: {' and '.join(missing)} "
                          "not set", hint=BANKID_HINT, id="integrations.E003")]
        unreadable = [f"{name}={path}" for name, path in files.items()
                      if path and not (os.path.isfile(path) and os.access(path, os.R_OK))]
        if unreadable:
            return [Error(f"BankID's files cannot be read: {', '.join(unreadable)}",
                          hint=BANKID_HINT, id="integrations.E003")]
    try:
        backend()
    except (ImproperlyConfigured, OSError, ValueError) as exc:
        return [Error(f"the e-ID backend cannot start: {exc}", hint=BANKID_HINT,
                      id="integrations.E003")]
    return []
