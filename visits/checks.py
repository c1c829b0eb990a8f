"""System checks for the video room's STUN/TURN settings (DESIGN R3, S3)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def turn_urls_have_a_secret(app_configs, **kwargs) -> list[Error]:
    # Not deploy-only: credentials signed with no secret fail in any environment.
    if settings.ROOM_TURN_URLS and not settings.TURN_SECRET:
        return [Error("ROOM_TURN_URLS is set but TURN_SECRET is not: the room's TURN "
                      "credentials would be refused",
                      hint="Set TURN_SECRET to coturn's static-auth-secret.",
                      id="visits.E001")]
    return []


@register(Tags.security, deploy=True)
def turn_secret_has_urls(app_configs, **kwargs) -> list[Error]:
    """A secret without servers means TURN was meant and is missing: people behind
    strict firewalls would get no video (R3)."""
    if settings.TURN_SECRET and not settings.ROOM_TURN_URLS:
        return [Error("TURN_SECRET is set but ROOM_TURN_URLS is not: the room offers no "
                      "TURN server",
                      hint="Set ROOM_TURN_URLS, e.g. turn:turn.region.se:3478?transport=udp,"
                           "turn:turn.region.se:3478?transport=tcp",
                      id="visits.E002")]
    return []
