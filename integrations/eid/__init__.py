"""E-identification of patients and agents behind a small interface (DESIGN N2, G4).

Settings name the backend class in EID_BACKEND: the simulator for development, BankID's
RP API v6 in production. An identification follows BankID's flow:

1. `start_auth(end_user_ip=...)` gives an `Order`, which stays on the server;
2. the page shows `qr_data(order, now)` as a QR code, refreshed every second, or opens
   the app on the same device with `order.auto_start_token`;
3. `collect(order.order_ref)` every two seconds until it is complete or failed, showing
   `result.user_message()` meanwhile;
4. `cancel(order.order_ref)` when the person leaves before it ends.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from integrations import alerts
from integrations.eid.messages import RFA, failed_message, pending_message

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Order:
    """A started identification. Server-side only: the browser gets `qr_data()` and the
    auto-start token, never `qr_start_secret` (it is left out of repr, hence of logs)."""

    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str = field(repr=False)
    started_at: datetime.datetime


class Status(StrEnum):
    PENDING = "pending"
    FAILED = "failed"
    COMPLETE = "complete"


@dataclass(frozen=True)
class IdentifiedPerson:
    """Who identified: `personnummer` is 12 digits."""

    personnummer: str
    given_name: str
    surname: str


@dataclass(frozen=True)
class CollectResult:
    """Where an order stands. `hint_code` is BankID's; `person` is set when complete."""

    status: Status
    hint_code: str = ""
    person: IdentifiedPerson | None = None

    def user_message(self, *, same_device: bool = False) -> Promise | str:
        """BankID's recommended message for this state; empty once complete.

        `same_device`: the person opened the app on this device rather than scanning the QR code.
        """
        if self.status == Status.PENDING:
            return pending_message(self.hint_code, same_device=same_device)
        if self.status == Status.FAILED:
            return failed_message(self.hint_code, same_device=same_device)
        return ""


class EidError(Exception):
    """The identification cannot go on; `user_message` tells the person in BankID's words.

    `code` is BankID's errorCode (or our own name for the fault), for logs and callers.
    """

    def __init__(self, user_message: Promise | str, *, code: str = "", detail: str = "") -> None:
        super().__init__(": ".join(part for part in (code, detail) if part) or str(user_message))
        self.user_message = user_message
        self.code = code


class EidUnavailable(EidError):
    """The e-ID service is down or did not answer in time; the person may try again later."""

    def __init__(self, *, code: str = "", detail: str = "") -> None:
        super().__init__(RFA["RFA5"], code=code, detail=detail)


class EidBackend(Protocol):
    def start_auth(self, *, end_user_ip: str) -> Order:
        """Start an identification for the person at this IP address (as our server saw it)."""
        ...

    def collect(self, order_ref: str) -> CollectResult:
        """The order's state now; raises EidError when the order is unknown or gone."""
        ...

    def cancel(self, order_ref: str) -> None:
        """End the order; an order that has already ended is not an error."""
        ...


@cache
def get_backend() -> EidBackend:
    return import_string(settings.EID_BACKEND)()


@receiver(setting_changed)
def _forget_backend(*, setting: str, **kwargs) -> None:
    # Backends read their settings once, when built; tests and override_settings
    # that change them must get a new one.
    if setting == "EID_BACKEND" or setting.startswith(("BANKID_", "EID_SIMULATOR_")):
        get_backend.cache_clear()


@contextmanager
def _watched(call: str) -> Iterator[None]:
    """The backend's failures as callers handle them: EidError for the person's
    situation, EidUnavailable when nobody can identify now (the service is down, or our
    configuration is wrong), which staff are told of too (integrations.alerts)."""
    try:
        yield
    except EidUnavailable as exc:
        logger.warning("e-ID unavailable at %s: %s", call, exc)
        alerts.service_failed("eid")
        raise
    except EidError:
        raise
    except Exception as exc:
        # A backend that cannot even be built (a missing certificate), or a fault of
        # ours: the patient is told it does not work now, never shown a server error.
        logger.error("e-ID backend failed at %s: %s: %s", call, type(exc).__name__, exc,
                     exc_info=True)
        alerts.service_failed("eid")
        raise EidUnavailable(code="backend", detail=f"{type(exc).__name__}: {exc}") from exc


def start_auth(*, end_user_ip: str) -> Order:
    # BankID binds the order to this address; a wrong value is our bug, not the person's.
    ipaddress.ip_address(end_user_ip)
    with _watched("start_auth"):
        order = get_backend().start_auth(end_user_ip=end_user_ip)
    # Each identification begins here, so this is where staff hear it works again.
    alerts.service_works("eid")
    return order


def collect(order_ref: str) -> CollectResult:
    with _watched("collect"):
        return get_backend().collect(order_ref)


def cancel(order_ref: str) -> None:
    with _watched("cancel"):
        get_backend().cancel(order_ref)


def qr_data(order: Order, now: datetime.datetime) -> str:
    """The animated QR code's content at `now`; it changes every second, as BankID requires.

    "bankid." + qrStartToken + "." + whole seconds since the order started + "." +
    HMAC-SHA256 of those seconds keyed with qrStartSecret, in hex. The secret itself
    never leaves the server.
    """
    seconds = max(0, math.floor((now - order.started_at).total_seconds()))
    auth_code = hmac.new(
        order.qr_start_secret.encode(), str(seconds).encode(), hashlib.sha256
    ).hexdigest()
    return f"bankid.{order.qr_start_token}.{seconds}.{auth_code}"
