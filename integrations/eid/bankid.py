"""BankID's Relying Party API v6, through pybankid's synchronous client.

Settings: BANKID_CERT_PATH and BANKID_KEY_PATH (our RP certificate and its key, PEM),
BANKID_TEST_SERVER (BankID's test environment instead of production), BANKID_API_URL
(another base URL, e.g. a proxy), BANKID_CA_PATH (the CA that issued the server's
certificate; pybankid's bundled BankID CA for the chosen environment when empty) and
BANKID_TIMEOUT (seconds per request).
"""

from __future__ import annotations

import logging
import re
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from bankid import BankIDClient
from bankid.baseclient import BankIDClientBaseclass
from bankid.exceptions import BankIDError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from integrations.eid import (
    CollectResult,
    EidError,
    EidUnavailable,
    IdentifiedPerson,
    Order,
    Status,
)
from integrations.eid.messages import RFA

logger = logging.getLogger(__name__)

# BankID's errorCodes that mean "not now" rather than "not like this" (all others are
# answered with a 4xx and are either the person's situation or our own mistake).
UNAVAILABLE_CODES = {"internalError", "maintenance", "requestTimeout"}
USER_MESSAGES = {"alreadyInProgress": RFA["RFA4"]}


class RpClient(BankIDClient):
    """pybankid's v6 client, with our base URL and CA, and the RP certificate presented
    from one SSL context."""

    def __init__(
        self,
        *,
        cert_path: str,
        key_path: str,
        ca_path: str = "",
        test_server: bool = False,
        api_url: str = "",
        timeout: float = 5,
    ) -> None:
        # The base class picks BankID's production or test URL and bundled CA and derives
        # every endpoint from that URL. BankIDClient.__init__ is skipped on purpose: it
        # passes the certificate to httpx as `cert=`, which httpx 0.28 deprecates.
        BankIDClientBaseclass.__init__(self, (cert_path, key_path), test_server, timeout)
        if api_url:
            base = api_url.rstrip("/") + "/"
            for name, value in list(vars(self).items()):
                if name.endswith("_endpoint"):
                    setattr(self, name, base + value.removeprefix(self.api_url))
            self.api_url = base
        context = ssl.create_default_context(cafile=ca_path or str(self.verify_cert))
        try:
            context.load_cert_chain(cert_path, key_path)
        except (OSError, ssl.SSLError) as exc:
            raise ImproperlyConfigured(
                f"BankID: cannot load the RP certificate and key ({exc})"
            ) from exc
        self.client = httpx.Client(
            verify=context,
            headers={"Content-Type": "application/json"},
            timeout=timeout,
            event_hooks={"response": [_refuse_server_errors]},
        )


def _refuse_server_errors(response: httpx.Response) -> None:
    # pybankid reads every non-200 answer as BankID's JSON error; a 5xx may come from a
    # proxy as HTML, and whatever it says, the service is down for now.
    if response.status_code >= 500:
        response.read()
        try:
            code = str(response.json().get("errorCode", ""))
        except (ValueError, AttributeError):
            code = ""
        logger.warning("BankID answered %s %s", response.status_code, code)
        raise EidUnavailable(code=code or f"http{response.status_code}",
                             detail=response.text[:200])


class BankIdEid:
    def __init__(self) -> None:
        if not (settings.BANKID_CERT_PATH and settings.BANKID_KEY_PATH):
            raise ImproperlyConfigured(
                "BankID needs BANKID_CERT_PATH and BANKID_KEY_PATH (the RP certificate and key)."
            )
        self.client = RpClient(
            cert_path=settings.BANKID_CERT_PATH,
            key_path=settings.BANKID_KEY_PATH,
            ca_path=settings.BANKID_CA_PATH,
            test_server=settings.BANKID_TEST_SERVER,
            api_url=settings.BANKID_API_URL,
            timeout=settings.BANKID_TIMEOUT,
        )

    def start_auth(self, *, end_user_ip: str) -> Order:
        answer = _call(self.client.authenticate, end_user_ip=end_user_ip)
        # BankID counts the QR code's seconds from when the answer was received.
        started_at = timezone.now()
        with _malformed("auth"):
            return Order(
                order_ref=answer["orderRef"],
                auto_start_token=answer["autoStartToken"],
                qr_start_token=answer["qrStartToken"],
                qr_start_secret=answer["qrStartSecret"],
                started_at=started_at,
            )

    def collect(self, order_ref: str) -> CollectResult:
        answer = _call(self.client.collect, order_ref)
        with _malformed("collect"):
            status = answer["status"]
            if status == Status.COMPLETE:
                user = answer["completionData"]["user"]
                number = user["personalNumber"]
                if not re.fullmatch(r"\d{12}", number):
                    raise ValueError("personalNumber is not 12 digits")
                person = IdentifiedPerson(
                    personnummer=number, given_name=user["givenName"], surname=user["surname"]
                )
                return CollectResult(Status.COMPLETE, person=person)
            return CollectResult(Status(status), hint_code=answer.get("hintCode", ""))

    def cancel(self, order_ref: str) -> None:
        try:
            _call(self.client.cancel, order_ref)
        except EidError as exc:
            # An order that has already ended (or was never there) is what cancel wants.
            if exc.code != "invalidParameters":
                raise


def _call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call pybankid, turning every way it can fail into EidUnavailable or EidError."""
    try:
        return method(*args, **kwargs)
    except httpx.TimeoutException as exc:
        logger.warning("BankID did not answer in time: %r", exc)
        raise EidUnavailable(code="timeout", detail=repr(exc)) from exc
    except httpx.TransportError as exc:
        # Also a server certificate our CA did not issue: say so loudly, it is no outage.
        logger.error("BankID could not be reached: %r", exc)
        raise EidUnavailable(code="transport", detail=repr(exc)) from exc
    except BankIDError as exc:
        code = exc.json.get("errorCode", "")
        detail = exc.json.get("details", "")
        if code in UNAVAILABLE_CODES:
            logger.warning("BankID is unavailable: %s %s", code, detail)
            raise EidUnavailable(code=code, detail=detail) from exc
        if code not in USER_MESSAGES:
            # invalidParameters, unauthorized, notFound…: our mistake, not the person's.
            logger.error("BankID refused the request: %s %s", code, detail)
        raise EidError(USER_MESSAGES.get(code, RFA["RFA22"]), code=code, detail=detail) from exc
    except ValueError as exc:
        # A 4xx or 200 that is not JSON: not BankID answering.
        logger.error("BankID's answer was not JSON: %r", exc)
        raise EidError(RFA["RFA22"], code="malformed", detail=repr(exc)) from exc


@contextmanager
def _malformed(call: str) -> Iterator[None]:
    """Turn an answer that lacks what the v6 protocol promises into EidError."""
    try:
        yield
    except (KeyError, TypeError, ValueError) as exc:
        logger.error("BankID's %s answer is malformed: %r", call, exc)
        raise EidError(RFA["RFA22"], code="malformed", detail=f"{call}: {exc!r}") from exc
