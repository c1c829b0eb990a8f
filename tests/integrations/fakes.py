"""Small local stand-ins for the outside services: an HTTP provider, an SMTP server, Redis."""

from __future__ import annotations

import contextlib
import datetime
import json
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis
from celery.contrib.testing.worker import start_worker

from videovisit.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float = 20, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout} s: {what}")
        time.sleep(0.05)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: datetime.datetime

    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: object = None
    delay: float = 0.0
    hold: threading.Event | None = None


@dataclass
class FakeProvider:
    """An HTTP service on 127.0.0.1 that records each request and answers from a script.

    Queued replies are used in order; after them every request gets 200 and
    {"id": "msg-<n>"} (n from 1), as a provider accepting the message would.
    """

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    replies: deque[Reply] = field(default_factory=deque)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, status: int, body: object = None, *, delay: float = 0.0,
              hold: threading.Event | None = None, times: int = 1) -> None:
        for _ in range(times):
            self.replies.append(Reply(status, body, delay, hold))

    def next_reply(self) -> Reply:
        try:
            return self.replies.popleft()
        except IndexError:
            return Reply(200, {"id": f"msg-{len(self.received)}"})


@contextlib.contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    provider: FakeProvider

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            provider.received.append(Received(
                self.command, self.path, dict(self.headers.items()), body,
                datetime.datetime.now(datetime.UTC)))
            reply = provider.next_reply()
            if reply.hold is not None:
                reply.hold.wait(timeout=30)
            time.sleep(reply.delay)
            if isinstance(reply.body, dict):
                payload, content_type = json.dumps(reply.body).encode(), "application/json"
            else:
                payload, content_type = str(reply.body or "").encode(), "text/plain"
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as a timeout test wants

        def log_message(self, format, *args) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    provider = FakeProvider(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FakeSmtp:
    """An SMTP server on 127.0.0.1 that answers RCPT TO with `rcpt_reply` and keeps the mails."""

    port: int
    rcpt_reply: bytes = b"250 ok"
    mails: list[bytes] = field(default_factory=list)


@contextlib.contextmanager
def fake_smtp() -> Iterator[FakeSmtp]:
    smtp: FakeSmtp

    class Handler(socketserver.StreamRequestHandler):
        def say(self, line: bytes) -> None:
            self.wfile.write(line + b"\r\n")

        def handle(self) -> None:
            self.say(b"220 fake ESMTP")
            while line := self.rfile.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO", b"MAIL", b"RSET", b"NOOP"):
                    self.say(b"250 ok")
                elif verb == b"RCPT":
                    self.say(smtp.rcpt_reply)
                elif verb == b"DATA":
                    self.say(b"354 end with .")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    smtp.mails.append(data)
                    self.say(b"250 queued")
                elif verb == b"QUIT":
                    self.say(b"221 bye")
                    return
                else:
                    self.say(b"502 not here")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    smtp = FakeSmtp(port=server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield smtp
    finally:
        server.shutdown()
        server.server_close()


class ThrowawayRedis:
    """A redis-server of its own on a free port, to be stopped and started by a test."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def answers() -> bool:
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        wait_until(answers, timeout=10, what="redis-server to start")
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def worker_thread():
    """A real Celery worker in a thread of this process, on the app's current broker."""
    # Tasks left queued by an earlier test would act on rows of this one.
    celery_app.control.purge()
    return start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10)


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point the Celery app's producers and new workers at another broker for the block."""
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    # What Celery does after a fork: forget the pooled connections to the old broker.
    celery_app._after_fork()
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        celery_app._after_fork()
