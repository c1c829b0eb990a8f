"""SMS through 46elks: POST {ELKS_API_URL}/a1/sms with HTTP basic auth and form fields."""

from __future__ import annotations

import base64
import urllib.parse

from django.conf import settings

from integrations import httpclient


class ElksSmsBackend:
    service = "Sms-tjänsten (46elks)"

    def __init__(self) -> None:
        self.url = settings.ELKS_API_URL.rstrip("/") + "/a1/sms"
        credentials = f"{settings.ELKS_API_USERNAME}:{settings.ELKS_API_PASSWORD}"
        self.authorization = "Basic " + base64.b64encode(credentials.encode()).decode("ascii")
        self.sender = settings.ELKS_SENDER
        self.timeout = settings.ELKS_TIMEOUT

    def send(self, *, to: str, body: str, reference: str) -> str:
        form = {"from": self.sender, "to": to, "message": body}
        answer = httpclient.post(
            self.url,
            body=urllib.parse.urlencode(form).encode("ascii"),
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": self.authorization},
            timeout=self.timeout,
            service=self.service,
        )
        return str(answer.get("id", ""))
