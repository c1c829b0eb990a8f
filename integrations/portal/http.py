"""1177 inbox over HTTP: POST JSON {personnummer, subject, body} with a bearer token."""

from __future__ import annotations

import json

from django.conf import settings

from integrations import httpclient


class HttpPortalBackend:
    service = "1177-inkorgen"

    def __init__(self) -> None:
        self.url = settings.PORTAL_API_URL
        self.token = settings.PORTAL_API_TOKEN
        self.timeout = settings.PORTAL_TIMEOUT

    def send(self, *, personnummer: str, subject: str, body: str, reference: str) -> str:
        payload = {"personnummer": personnummer, "subject": subject, "body": body}
        answer = httpclient.post(
            self.url,
            body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            content_type="application/json; charset=utf-8",
            # The key lets the receiving side drop a message our retry sends twice.
            headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": reference},
            timeout=self.timeout,
            service=self.service,
        )
        return str(answer.get("id", ""))
