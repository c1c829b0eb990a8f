"""A registry backend for a personuppgiftstjänst over HTTPS.

Protocol: POST {REGISTRY_URL}/persons/lookup with JSON {"personnummer": "YYYYMMDDNNNN"}
and a bearer token. 200 answers the person as JSON (fields as RegistryPerson,
address as an object, guardians as a list of objects); 404 means no such person.
The number travels in the body, never in a URL, so it stays out of access logs.
Timeouts, connection errors and 5xx answers are retried, then raise RegistryError.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings

from integrations.registry import Address, RegistryError, RegistryGuardian, RegistryPerson

log = logging.getLogger(__name__)


class HttpRegistry:
    def __init__(self) -> None:
        self.url = settings.REGISTRY_URL.rstrip("/") + "/persons/lookup"
        self.token = settings.REGISTRY_TOKEN
        self.timeout = settings.REGISTRY_TIMEOUT
        self.retries = settings.REGISTRY_RETRIES
        self.retry_delay = settings.REGISTRY_RETRY_DELAY

    def lookup(self, personnummer: str) -> RegistryPerson | None:
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"personnummer": personnummer}).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "Authorization": f"Bearer {self.token}"},
        )
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.retry_delay * 2 ** (attempt - 1))
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return person_from_json(json.load(response))
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return None
                if error.code < 500:
                    raise RegistryError(f"registry refused the look-up: HTTP {error.code}"
                                        ) from error
                reason = f"HTTP {error.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = type(error).__name__
            except (ValueError, KeyError) as error:
                raise RegistryError("registry answered with malformed data") from error
            log.warning("registry look-up failed (attempt %d): %s", attempt + 1, reason)
        raise RegistryError(f"registry did not answer after {self.retries + 1} attempts")


def person_from_json(data: dict) -> RegistryPerson:
    address = data.get("address") or {}
    return RegistryPerson(
        personnummer=data["personnummer"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        birth_date=datetime.date.fromisoformat(data["birth_date"]),
        address=Address(street=address.get("street", ""),
                        postal_code=address.get("postal_code", ""),
                        city=address.get("city", "")),
        protected_identity=bool(data.get("protected_identity", False)),
        has_eid=bool(data.get("has_eid", False)),
        guardians=tuple(
            RegistryGuardian(personnummer=g["personnummer"], first_name=g["first_name"],
                             last_name=g["last_name"],
                             protected_identity=bool(g.get("protected_identity", False)),
                             has_eid=bool(g.get("has_eid", False)))
            for g in data.get("guardians", [])
        ),
    )
