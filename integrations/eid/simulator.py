"""An e-ID backend for development: BankID's flow with no network and no real identity.

Orders live in Django's cache, so a dev page in one process can complete an order that
the Legitimera page polls from another when the cache is shared (Redis); the default
in-process cache is enough for `manage.py runserver`. A system check refuses this backend
when DEBUG is off (integrations/eid/checks.py).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from personnummer import personnummer as pnr

from integrations.eid import (
    CollectResult,
    EidError,
    IdentifiedPerson,
    Order,
    Status,
)
from integrations.eid.messages import RFA
from integrations.registry import get_registry

# BankID forgets an order a while after it ends; the simulator keeps it this long.
ORDER_LIFETIME = 10 * 60


class SimulatorEid:
    """Orders stay pending until `complete()` or `fail()` is called for them, e.g. by a
    dev-only page. With EID_SIMULATOR_PERSONNUMMER set, an order instead completes by
    itself for that person after EID_SIMULATOR_COLLECTS pending collects (0: at once)."""

    def __init__(self) -> None:
        self.auto_personnummer = settings.EID_SIMULATOR_PERSONNUMMER
        self.pending_collects = settings.EID_SIMULATOR_COLLECTS

    def start_auth(self, *, end_user_ip: str) -> Order:
        order = Order(
            order_ref=str(uuid.uuid4()),
            auto_start_token=str(uuid.uuid4()),
            qr_start_token=str(uuid.uuid4()),
            qr_start_secret=secrets.token_hex(16),
            started_at=timezone.now(),
        )
        self._save(order.order_ref, {"collects": 0, "result": None})
        return order

    def collect(self, order_ref: str) -> CollectResult:
        state = self._load(order_ref)
        if state["result"] is None and self.auto_personnummer:
            if state["collects"] >= self.pending_collects:
                self.complete(order_ref, self.auto_personnummer)
                state = self._load(order_ref)
        if state["result"] is not None:
            return _result(state["result"])
        # Two processes polling one order could both count a collect here; for a
        # simulator that only means one pending answer more or less.
        state["collects"] += 1
        self._save(order_ref, state)
        return CollectResult(Status.PENDING, hint_code="outstandingTransaction")

    def cancel(self, order_ref: str) -> None:
        cache.delete(_key(order_ref))

    def complete(self, order_ref: str, personnummer: str) -> IdentifiedPerson:
        """Let the order's next collect answer that this person identified.

        Accepts any form the personnummer library does; names come from the population
        registry when it knows the number, so the demo persons identify as themselves.
        """
        state = self._load(order_ref)
        number = pnr.parse(personnummer).format(long_format=True)
        known = get_registry().lookup(number)
        person = IdentifiedPerson(
            personnummer=number,
            given_name=known.first_name if known else "Test",
            surname=known.last_name if known else "Testsson",
        )
        state["result"] = {"status": Status.COMPLETE.value, "person": asdict(person)}
        self._save(order_ref, state)
        return person

    def fail(self, order_ref: str, hint_code: str = "userCancel") -> None:
        """Let the order's next collect answer that it failed with BankID's `hint_code`."""
        state = self._load(order_ref)
        state["result"] = {"status": Status.FAILED.value, "hint_code": hint_code}
        self._save(order_ref, state)

    def _load(self, order_ref: str) -> dict:
        state = cache.get(_key(order_ref))
        if state is None:
            # As BankID answers for an order it does not know (invalidParameters).
            raise EidError(RFA["RFA22"], code="invalidParameters", detail="no such order")
        return state

    def _save(self, order_ref: str, state: dict) -> None:
        cache.set(_key(order_ref), state, ORDER_LIFETIME)


def _key(order_ref: str) -> str:
    return f"eid-simulator:{order_ref}"


def _result(stored: dict) -> CollectResult:
    if stored["status"] == Status.COMPLETE:
        return CollectResult(Status.COMPLETE, person=IdentifiedPerson(**stored["person"]))
    return CollectResult(Status.FAILED, hint_code=stored["hint_code"])
