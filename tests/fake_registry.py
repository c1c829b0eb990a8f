"""A small local HTTP server speaking the registry protocol of integrations.registry.http."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.registry.fixture import FixtureRegistry


class FakeRegistry:
    """Answers from the demo persons; `fail_next` / `delay` script outages."""

    def __init__(self) -> None:
        self.persons = FixtureRegistry().persons
        self.requests: list[dict] = []
        self.fail_next: list[int] = []  # status codes to answer before answering normally
        self.delay = 0.0
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeRegistry:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                registry.requests.append({"path": self.path, "body": body,
                                          "authorization": self.headers.get("Authorization")})
                if registry.delay:
                    time.sleep(registry.delay)
                if registry.fail_next:
                    return self.answer(registry.fail_next.pop(0), {"error": "unavailable"})
                if self.path != "/persons/lookup":
                    return self.answer(404, {"error": "no such endpoint"})
                person = registry.persons.get(body.get("personnummer"))
                if person is None:
                    return self.answer(404, {"error": "not found"})
                data = asdict(person)
                data["birth_date"] = person.birth_date.isoformat()
                self.answer(200, data)

            def answer(self, status: int, data: dict) -> None:
                payload = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        return Handler
