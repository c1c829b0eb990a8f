"""One HTTP POST with a JSON answer, classified the way the outbox needs it.

The standard library's urllib is enough for one POST per message and keeps the
dependency list short.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.utils.translation import gettext as _

from integrations.errors import PermanentSendError, SendError, TransientSendError

logger = logging.getLogger(__name__)

# "Try later" answers: the provider itself asks to be retried.
RETRYABLE_CLIENT_ERRORS = {408, 425, 429}


def post(
    url: str, *, body: bytes, content_type: str, headers: dict[str, str], timeout: float,
    service: str,
) -> dict[str, Any]:
    """POST and return the JSON answer ({} when it is not a JSON object).

    Raises TransientSendError for timeouts, network errors, 5xx and throttling,
    PermanentSendError for other 4xx answers; `service` names the provider in
    the error text staff read.
    """
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": content_type, "Accept": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise _http_error(error, service=service, url=url) from error
    except (OSError, http.client.HTTPException) as error:
        # A connect timeout arrives wrapped in URLError, a read timeout bare.
        timed_out = isinstance(error, TimeoutError) or isinstance(
            getattr(error, "reason", None), TimeoutError
        )
        logger.warning("%s at %s: %s", service, url, "timeout" if timed_out else error)
        if timed_out:
            text = _("%(service)s svarade inte i tid.")
        else:
            text = _("%(service)s gick inte att nå.")
        raise TransientSendError(text % {"service": service}) from error
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        # The provider took the message; failing it now would send it twice on a retry.
        logger.warning("%s accepted a message but its answer was not a JSON object", service)
        return {}
    return answer


def _http_error(error: urllib.error.HTTPError, *, service: str, url: str) -> SendError:
    try:
        detail = error.read(500).decode("utf-8", "replace")
    except OSError:
        detail = ""
    with contextlib.suppress(ValueError):
        # JSON error bodies often escape å, ä and ö; staff should read them plainly.
        detail = json.dumps(json.loads(detail), ensure_ascii=False)
    detail = " ".join(detail.split())[:120]
    logger.warning("%s answered HTTP %s at %s: %s", service, error.code, url, detail)
    if error.code >= 500 or error.code in RETRYABLE_CLIENT_ERRORS:
        return TransientSendError(
            _("%(service)s svarade med ett tillfälligt fel (HTTP %(status)s).")
            % {"service": service, "status": error.code}
        )
    return PermanentSendError(
        _("%(service)s tog inte emot meddelandet (HTTP %(status)s: %(detail)s).")
        % {"service": service, "status": error.code, "detail": detail or "-"}
    )
