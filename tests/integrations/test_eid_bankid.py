"""The BankID backend against a local HTTPS server that speaks the RP API v6 (DESIGN N2).

The server asks for a client certificate, as BankID does, and both sides trust only
a CA made for the test.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from integrations import eid
from integrations.eid import EidError, EidUnavailable, Status
from integrations.eid.bankid import BankIdEid

RP_NAME = "videovisit RP test"
ORDER_REF = "131daac9-16c6-4618-beb0-365768f37288"
AUTH_ANSWER = {
    "orderRef": ORDER_REF,
    "autoStartToken": "7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6",
    "qrStartToken": "67df3917-fa0d-44e5-b327-edcc928297f8",
    "qrStartSecret": "d28db9a7-4cde-429e-a983-359be676944c",
}


@dataclass
class Certs:
    ca: Path
    server: tuple[Path, Path]
    client: tuple[Path, Path]


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(directory: Path, stem: str, cert: x509.Certificate, key=None) -> tuple[Path, Path]:
    cert_path = directory / f"{stem}.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = directory / f"{stem}.key"
    if key is not None:
        key_path.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Certs:
    """A CA, the server's certificate for 127.0.0.1 and our RP client certificate."""
    directory = tmp_path_factory.mktemp("bankid-certs")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test BankID CA")).issuer_name(_name("Test BankID CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def issue(common_name: str, usage, alt_names=None):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
        )
        if alt_names:
            builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        return builder.sign(ca_key, hashes.SHA256()), key

    server = issue("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH,
                   [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client = issue(RP_NAME, ExtendedKeyUsageOID.CLIENT_AUTH)
    return Certs(
        ca=_write(directory, "ca", ca)[0],
        server=_write(directory, "server", *server),
        client=_write(directory, "client", *client),
    )


@dataclass
class Seen:
    path: str
    body: dict
    client_cert: str
    content_type: str


@dataclass
class FakeBankId:
    """Answers queued per path; records what each request carried."""

    url: str
    answers: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, path: str, status: int, body: dict | bytes, *, delay: float = 0) -> None:
        self.answers[path].append((status, body, delay))


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that timed out leaves a broken pipe behind; that is the test's point.
        pass


@pytest.fixture
def fake_bankid(certs) -> FakeBankId:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certs.server)
    context.load_verify_locations(certs.ca)
    context.verify_mode = ssl.CERT_REQUIRED  # as BankID: no RP certificate, no answer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            subject = dict(item[0] for item in self.connection.getpeercert()["subject"])
            fake.seen.append(Seen(self.path, body, subject["commonName"],
                                  self.headers["Content-Type"]))
            queued = fake.answers[self.path]
            status, answer, delay = (
                queued.popleft() if queued else (404, {"errorCode": "notFound"}, 0))
            if delay:
                fake.release.wait(delay)
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    fake = FakeBankId(url=f"https://127.0.0.1:{server.server_address[1]}/rp/v6.0")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def bankid(settings, certs, fake_bankid) -> FakeBankId:
    """Select the BankID backend, pointed at the fake server."""
    settings.EID_BACKEND = "integrations.eid.bankid.BankIdEid"
    settings.BANKID_CERT_PATH, settings.BANKID_KEY_PATH = map(str, certs.client)
    settings.BANKID_CA_PATH = str(certs.ca)
    settings.BANKID_API_URL = fake_bankid.url  # no trailing slash, as people write it
    settings.BANKID_TEST_SERVER = False
    settings.BANKID_TIMEOUT = 2.0
    return fake_bankid


def test_start_auth_sends_the_end_user_ip_with_our_client_certificate(bankid):
    bankid.answer("/rp/v6.0/auth", 200, AUTH_ANSWER)
    before = timezone.now()

    order = eid.start_auth(end_user_ip="192.0.2.7")

    assert [(s.path, s.body, s.client_cert) for s in bankid.seen] == [
        ("/rp/v6.0/auth", {"endUserIp": "192.0.2.7"}, RP_NAME)]
    assert bankid.seen[0].content_type == "application/json"
    assert order.order_ref == ORDER_REF
    assert order.auto_start_token == AUTH_ANSWER["autoStartToken"]
    assert before <= order.started_at <= timezone.now()
    qr = eid.qr_data(order, order.started_at)
    assert qr.startswith(f"bankid.{AUTH_ANSWER['qrStartToken']}.0.")
    assert AUTH_ANSWER["qrStartSecret"] not in qr + repr(order)


def test_collect_is_pending_with_a_hint_then_complete_with_the_person(bankid):
    bankid.answer("/rp/v6.0/collect", 200,
                  {"orderRef": ORDER_REF, "status": "pending", "hintCode": "userSign"})
    bankid.answer("/rp/v6.0/collect", 200, {
        "orderRef": ORDER_REF,
        "status": "complete",
        "completionData": {
            "user": {"personalNumber": "198503129820", "name": "Eva Lindqvist",
                     "givenName": "Eva", "surname": "Lindqvist"},
            "device": {"ipAddress": "192.0.2.7", "uhi": "OZvYM9VvyiAmG7NA5jU5zRGcHDv"},
            "bankIdIssueDate": "2024-02-01",
            "signature": "PD94bWwg",
            "ocspResponse": "MIIHfgoBAKCC",
        },
    })

    pending = eid.collect(ORDER_REF)
    assert (pending.status, pending.hint_code) == (Status.PENDING, "userSign")
    assert str(pending.user_message()).startswith("Skriv in din säkerhetskod")

    complete = eid.collect(ORDER_REF)
    assert complete.status == Status.COMPLETE
    assert complete.person == eid.IdentifiedPerson("198503129820", "Eva", "Lindqvist")
    assert [s.body for s in bankid.seen] == [{"orderRef": ORDER_REF}] * 2
    assert {s.path for s in bankid.seen} == {"/rp/v6.0/collect"}


def test_collect_reports_a_failed_order_with_bankids_message(bankid):
    bankid.answer("/rp/v6.0/collect", 200,
                  {"orderRef": ORDER_REF, "status": "failed", "hintCode": "userCancel"})
    result = eid.collect(ORDER_REF)
    assert (result.status, result.hint_code) == (Status.FAILED, "userCancel")
    assert str(result.user_message()) == "Åtgärden avbröts."


def test_a_complete_answer_without_a_12_digit_personnummer_is_refused(bankid):
    bankid.answer("/rp/v6.0/collect", 200, {
        "orderRef": ORDER_REF, "status": "complete",
        "completionData": {"user": {"personalNumber": "8503129820", "name": "Eva Lindqvist",
                                    "givenName": "Eva", "surname": "Lindqvist"}},
    })
    with pytest.raises(EidError) as caught:
        eid.collect(ORDER_REF)
    assert not isinstance(caught.value, EidUnavailable)
    assert caught.value.code == "malformed"


def test_cancel_posts_the_order_ref(bankid):
    bankid.answer("/rp/v6.0/cancel", 200, {})
    eid.cancel(ORDER_REF)
    assert [(s.path, s.body) for s in bankid.seen] == [("/rp/v6.0/cancel",
                                                        {"orderRef": ORDER_REF})]


def test_cancelling_an_order_that_already_ended_is_no_error(bankid):
    bankid.answer("/rp/v6.0/cancel", 400,
                  {"errorCode": "invalidParameters", "details": "No such order"})
    eid.cancel(ORDER_REF)
    assert len(bankid.seen) == 1


@pytest.mark.parametrize(("status", "body"), [
    (503, {"errorCode": "maintenance", "details": "Service unavailable"}),
    (500, {"errorCode": "internalError", "details": "Internal error"}),
    (502, b"<html><body>Bad gateway</body></html>"),
])
def test_server_errors_mean_bankid_is_unavailable(bankid, status, body):
    bankid.answer("/rp/v6.0/auth", status, body)
    with pytest.raises(EidUnavailable) as caught:
        eid.start_auth(end_user_ip="192.0.2.7")
    assert str(caught.value.user_message) == "Något gick fel. Försök igen."  # RFA5


def test_a_page_that_is_not_bankid_answering_is_an_error_not_an_outage(bankid):
    # E.g. a BANKID_API_URL that points at some other web server: retrying will not help.
    bankid.answer("/rp/v6.0/auth", 404, b"<html><body>Not Found</body></html>")
    with pytest.raises(EidError) as caught:
        eid.start_auth(end_user_ip="192.0.2.7")
    assert not isinstance(caught.value, EidUnavailable)
    assert caught.value.code == "malformed"
    assert str(caught.value.user_message) == "Något gick fel. Försök igen."  # RFA22


def test_already_in_progress_tells_the_person_in_swedish(bankid):
    bankid.answer("/rp/v6.0/auth", 400,
                  {"errorCode": "alreadyInProgress", "details": "Order already in progress"})
    with pytest.raises(EidError) as caught:
        eid.start_auth(end_user_ip="192.0.2.7")
    assert not isinstance(caught.value, EidUnavailable)
    assert caught.value.code == "alreadyInProgress"
    assert str(caught.value.user_message) == (  # RFA4
        "En identifiering eller underskrift pågår redan för ditt personnummer. Försök igen.")


def test_our_own_mistakes_get_a_plain_message_not_bankids_details(bankid):
    bankid.answer("/rp/v6.0/collect", 400,
                  {"errorCode": "invalidParameters", "details": "Invalid orderRef"})
    with pytest.raises(EidError) as caught:
        eid.collect("not-an-order")
    assert not isinstance(caught.value, EidUnavailable)
    assert str(caught.value.user_message) == "Något gick fel. Försök igen."  # RFA22
    assert "Invalid orderRef" not in str(caught.value.user_message)


def test_a_timeout_means_bankid_is_unavailable(bankid, settings):
    settings.BANKID_TIMEOUT = 0.3
    bankid.answer("/rp/v6.0/collect", 200,
                  {"orderRef": ORDER_REF, "status": "pending", "hintCode": "started"},
                  delay=10)
    with pytest.raises(EidUnavailable) as caught:
        eid.collect(ORDER_REF)
    assert caught.value.code == "timeout"


def test_nothing_listening_means_bankid_is_unavailable(bankid, settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.BANKID_API_URL = f"https://127.0.0.1:{port}/rp/v6.0/"
    with pytest.raises(EidUnavailable):
        eid.start_auth(end_user_ip="192.0.2.7")


def test_a_server_that_bankids_ca_did_not_certify_is_not_trusted(bankid, settings):
    # With no CA of our own, only pybankid's bundled BankID CA is trusted.
    settings.BANKID_CA_PATH = ""
    bankid.answer("/rp/v6.0/auth", 200, AUTH_ANSWER)
    with pytest.raises(EidUnavailable):
        eid.start_auth(end_user_ip="192.0.2.7")
    assert bankid.seen == []


def test_bankid_needs_its_certificate_and_key(settings):
    settings.BANKID_CERT_PATH = ""
    with pytest.raises(ImproperlyConfigured, match="BANKID_CERT_PATH"):
        BankIdEid()


def test_a_missing_key_file_is_a_configuration_error(settings, certs, tmp_path):
    settings.BANKID_CERT_PATH = str(certs.client[0])
    settings.BANKID_KEY_PATH = str(tmp_path / "missing.key")
    with pytest.raises(ImproperlyConfigured, match="RP certificate"):
        BankIdEid()


@pytest.mark.parametrize(("test_server", "url"), [
    (True, "https://appapi2.test.bankid.com/rp/v6.0/"),
    (False, "https://appapi2.bankid.com/rp/v6.0/"),
])
def test_without_an_api_url_it_talks_to_bankids_own_servers(settings, certs, test_server, url):
    settings.BANKID_CERT_PATH, settings.BANKID_KEY_PATH = map(str, certs.client)
    settings.BANKID_CA_PATH = ""
    settings.BANKID_API_URL = ""
    settings.BANKID_TEST_SERVER = test_server
    client = BankIdEid().client
    assert client._auth_endpoint == url + "auth"
    assert client._collect_endpoint == url + "collect"
    assert client._cancel_endpoint == url + "cancel"
