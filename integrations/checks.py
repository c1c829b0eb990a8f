"""System checks for the message backends (DESIGN N2, N3, S3)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

# Backends that keep, print or drop messages instead of sending them (DESIGN N3).
DEVELOPMENT_BACKENDS = {
    "SMS_BACKEND": [
        "integrations.sms.database.DatabaseSmsBackend",
        "integrations.sms.console.ConsoleSmsBackend",
    ],
    "EMAIL_BACKEND": [
        "integrations.email.backends.DevInboxEmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    ],
    "PORTAL_BACKEND": ["integrations.portal.database.DatabasePortalBackend"],
}
PRODUCTION = {
    "SMS_BACKEND": ("integrations.E004", "SMS",
                    "Set SMS_BACKEND=integrations.sms.elks.ElksSmsBackend with "
                    "ELKS_API_USERNAME, ELKS_API_PASSWORD and ELKS_SENDER."),
    "EMAIL_BACKEND": ("integrations.E005", "e-mail",
                      "Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with "
                      "EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS and DEFAULT_FROM_EMAIL."),
    "PORTAL_BACKEND": ("integrations.E006", "1177",
                       "Set PORTAL_BACKEND=integrations.portal.http.HttpPortalBackend with "
                       "PORTAL_API_URL and PORTAL_API_TOKEN."),
}


@register(Tags.security, deploy=True)
def message_backends_send(app_configs, **kwargs) -> list[Error]:
    """Production sends its invitations: no development inbox, console or memory
    backend, which would leave patients without their links (N1)."""
    errors = []
    for setting, (check_id, channel, hint) in PRODUCTION.items():
        path = getattr(settings, setting)
        try:
            backend = import_string(path)
        except ImportError as exc:
            errors.append(Error(f"{setting} names no class that can be imported: {exc}",
                                hint=hint, id=check_id))
            continue
        if any(issubclass(backend, import_string(dev)) for dev in DEVELOPMENT_BACKENDS[setting]):
            errors.append(Error(
                f"{setting} is a development backend ({path}): no {channel} message would "
                "reach anyone", hint=hint, id=check_id))
    return errors
