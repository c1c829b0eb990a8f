"""System checks for the personal links (DESIGN G4, G5, S3)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.http.request import validate_host

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@register(Tags.security, deploy=True)
def site_url_is_public(app_configs, **kwargs) -> list[Error]:
    """SMS and e-mail carry links that start with SITE_URL: in production it must be the
    public https address this server answers to, or every link leads nowhere."""
    url = urlsplit(settings.SITE_URL)
    hint = "Set SITE_URL to the https address patients open their links at, e.g. " \
           "https://video.region.se"
    if url.scheme != "https" or not url.hostname or url.hostname in LOCAL_HOSTS:
        return [Error(f"SITE_URL is {settings.SITE_URL!r}: personal links must start with "
                      "this server's public https address", hint=hint, id="guests.E001")]
    if not validate_host(url.hostname, settings.ALLOWED_HOSTS):
        return [Error(f"SITE_URL's host {url.hostname!r} is not in DJANGO_ALLOWED_HOSTS: "
                      "the server would refuse every personal link",
                      hint="Add it to DJANGO_ALLOWED_HOSTS, or correct SITE_URL.",
                      id="guests.E002")]
    return []
