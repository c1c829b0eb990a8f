"""Outside services that are failing now, for the staff's alert (DESIGN G4, N1).

A failure is kept in the cache, which the web server and the workers share through
Redis, and holds until the service works again or ALERT_LASTS has passed without
anyone trying it: a failure nobody has seen again for that long is old news. Each
page staff see shows what holds (templates/base.html).
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ALERT_LASTS = datetime.timedelta(minutes=15)

# What staff read, per service: e-ID and the outbox's channels (OutboxMessage.Channel).
MESSAGES: dict[str, Promise] = {
    "eid": _("E-legitimationen fungerar inte just nu. Patienter och ombud kan inte "
             "legitimera sig för videobesök; de får mottagningens telefonnummer."),
    "sms": _("Sms går inte att skicka just nu. Inbjudningar och ändringar skickas igen "
             "av sig själva; det som inte kommer fram visas på besöket."),
    "email": _("E-post går inte att skicka just nu. Inbjudningar och ändringar skickas "
               "igen av sig själva; det som inte kommer fram visas på besöket."),
    "portal": _("1177-inkorgen går inte att nå just nu. Meddelanden skickas igen av sig "
                "själva; det som inte kommer fram visas på besöket."),
}


def _key(service: str) -> str:
    return f"service-failing:{service}"


def service_failed(service: str) -> None:
    """The service just failed in a way that is not the one person's or message's doing."""
    cache.set(_key(service), True, timeout=int(ALERT_LASTS.total_seconds()))


def service_works(service: str) -> None:
    cache.delete(_key(service))


def failing_services() -> list[Promise]:
    """What staff are told about the services failing now, in a fixed order."""
    failing = cache.get_many([_key(service) for service in MESSAGES])
    return [message for service, message in MESSAGES.items() if _key(service) in failing]
