"""The one settings module, as the environment drives it (run in fresh interpreters)."""

import datetime
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core import checks
from django.db import connection

from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x7!kq2-production-like-secret-0f9d8s7a6p5o4i3u2y1t-rewq-lkjh-mnbv",
    "DJANGO_ALLOWED_HOSTS": "video.example.se",
    "DATABASE_URL": "postgres://videovisit@db.example.se:5432/videovisit",
    "REDIS_URL": "redis://redis.example.se:6379/0",
}

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "layer_hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "layer_prefix": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix"),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
}))
"""


def clean_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "CHANNEL_LAYER_"))}
    return keep | {"DJANGO_SETTINGS_MODULE": "videovisit.settings"} | extra


def probe(**env: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean_env(**env),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_with_no_environment_it_runs_embedded():
    found = probe()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["db_name"].endswith("db.sqlite3")
    assert found["layer"] == "channels.layers.InMemoryChannelLayer"
    assert found["eager"] is True
    assert found["debug"] is True


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    found = probe(DATABASE_URL="postgres://u@db:5432/vv", REDIS_URL="redis://cache:6379/2")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["db_name"] == "vv"
    assert found["layer"] == "videovisit.channel_layer.BatchingPubSubChannelLayer"
    # redis-py 8 would otherwise close idle WebSockets after 5 s.
    assert found["layer_hosts"] == [{"address": "redis://cache:6379/2", "socket_timeout": None}]
    assert found["layer_prefix"] == "asgi"
    assert found["eager"] is False
    assert found["broker"] == "redis://cache:6379/2"
    # Bound and, when run often, prepared by the server; a pooler may need it off.
    assert found["db_options"] == {"server_side_binding": True, "prepare_threshold": 5}
    found = probe(DATABASE_URL="postgres://u@db:5432/vv", DATABASE_PREPARE_THRESHOLD="")
    assert found["db_options"] == {"server_side_binding": True, "prepare_threshold": None}
    # Pub/sub ignores the database number: a shared Redis is kept apart by prefix.
    found = probe(REDIS_URL="redis://cache:6379/2", CHANNEL_LAYER_PREFIX="region-b")
    assert found["layer_prefix"] == "region-b"


def rp_certificate(directory: Path) -> tuple[str, str]:
    """A certificate and its key (PEM) where BankID's relying party files would be."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "videovisit RP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "rp.pem", directory / "rp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def complete_production(directory: Path) -> dict[str, str]:
    """Everything production needs, as compose passes it: e-ID, the three message
    services, the links' address and TURN."""
    cert, key = rp_certificate(directory)
    return PRODUCTION | {
        "SITE_URL": "https://video.example.se",
        "BANKID_CERT_PATH": cert, "BANKID_KEY_PATH": key,
        "SMS_BACKEND": "integrations.sms.elks.ElksSmsBackend",
        "ELKS_API_USERNAME": "u1a2b3", "ELKS_API_PASSWORD": "hemligt",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.se",
        "PORTAL_BACKEND": "integrations.portal.http.HttpPortalBackend",
        "PORTAL_API_URL": "https://inkorg.example.se/api/v1/messages",
        "PORTAL_API_TOKEN": "token-abc123",
        "ROOM_TURN_URLS": "turn:turn.example.se:3478?transport=udp",
        "TURN_SECRET": "coturn-static-auth-secret",
    }


def check_deploy(env: dict[str, str], fail_level: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", fail_level],
        cwd=ROOT, env=clean_env(**env), capture_output=True, text=True)


def test_check_deploy_is_clean_in_a_production_environment(tmp_path):  # S3
    result = check_deploy(complete_production(tmp_path), "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_half_configured_refuses_to_start():  # S3
    """DEBUG off and nothing else: no BankID certificate, the development inbox for every
    message, links to 127.0.0.1. The check compose runs before the server fails."""
    result = check_deploy(PRODUCTION, "ERROR")
    assert result.returncode != 0
    for check_id, says in [
        ("integrations.E003", "BankID has no relying party certificate: BANKID_CERT_PATH and "
                              "BANKID_KEY_PATH not set"),
        ("integrations.E004", "SMS_BACKEND is a development backend"),
        ("integrations.E005", "EMAIL_BACKEND is a development backend"),
        ("integrations.E006", "PORTAL_BACKEND is a development backend"),
        ("guests.E001", "SITE_URL is 'http://127.0.0.1:8000'"),
    ]:
        assert f"({check_id}) {says}" in result.stderr, result.stderr


@pytest.fixture
def production_settings(settings, tmp_path):
    """This process's settings as complete_production() sets them."""
    for name, value in complete_production(tmp_path).items():
        if name.startswith(("BANKID_", "ELKS_", "PORTAL_API_", "EMAIL_HOST")) or name in {
                "SITE_URL", "SMS_BACKEND", "EMAIL_BACKEND", "PORTAL_BACKEND", "TURN_SECRET"}:
            setattr(settings, name, value)
    settings.ROOM_TURN_URLS = ["turn:turn.example.se:3478?transport=udp"]
    settings.ALLOWED_HOSTS = ["video.example.se"]
    settings.EID_BACKEND = "integrations.eid.bankid.BankIdEid"
    settings.DEBUG = False
    return settings


def deploy_errors() -> list[str]:
    """Our checks' errors (the test process itself is no deployment: Django's own
    check of DJANGO_ALLOW_ASYNC_UNSAFE, which browser tests set, is left out)."""
    found = checks.run_checks(include_deployment_checks=True)
    return [f"{m.id}: {m.msg}" for m in found
            if m.level >= checks.ERROR and m.id.startswith(("integrations.", "guests.", "visits."))]


def test_the_production_settings_of_these_tests_pass_the_checks(production_settings):
    assert deploy_errors() == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"EID_BACKEND": "integrations.eid.simulator.SimulatorEid"},
     "integrations.E001: the e-ID simulator must not run in production"),
    ({"BANKID_KEY_PATH": ""}, "integrations.E003: BankID has no relying party certificate: "
                              "BANKID_KEY_PATH not set"),
    ({"BANKID_CERT_PATH": "/run/bankid/missing.pem"},
     "integrations.E003: BankID's files cannot be read: BANKID_CERT_PATH=/run/bankid/missing.pem"),
    ({"BANKID_CERT_PATH": "{tmp}/not-a-certificate.pem"},
     "integrations.E003: the e-ID backend cannot start: BankID: cannot load the RP certificate"),
    ({"SMS_BACKEND": "integrations.sms.database.DatabaseSmsBackend"},
     "integrations.E004: SMS_BACKEND is a development backend"),
    ({"SMS_BACKEND": "integrations.sms.console.ConsoleSmsBackend"},
     "integrations.E004: SMS_BACKEND is a development backend"),
    ({"EMAIL_BACKEND": "integrations.email.backends.DevInboxEmailBackend"},
     "integrations.E005: EMAIL_BACKEND is a development backend"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
     "integrations.E005: EMAIL_BACKEND is a development backend"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
     "integrations.E005: EMAIL_BACKEND is a development backend"),
    ({"PORTAL_BACKEND": "integrations.portal.database.DatabasePortalBackend"},
     "integrations.E006: PORTAL_BACKEND is a development backend"),
    ({"SITE_URL": "http://video.example.se"}, "guests.E001: SITE_URL is 'http://video.example.se'"),
    ({"SITE_URL": "https://127.0.0.1:8000"}, "guests.E001: SITE_URL is 'https://127.0.0.1:8000'"),
    ({"SITE_URL": "https://video.other.se"},
     "guests.E002: SITE_URL's host 'video.other.se' is not in DJANGO_ALLOWED_HOSTS"),
    ({"TURN_SECRET": ""}, "visits.E001: ROOM_TURN_URLS is set but TURN_SECRET is not"),
    ({"ROOM_TURN_URLS": []}, "visits.E002: TURN_SECRET is set but ROOM_TURN_URLS is not"),
])
def test_check_deploy_refuses_each_half_configuration(production_settings, tmp_path, change,
                                                      expected):  # S3
    (tmp_path / "not-a-certificate.pem").write_text("not a certificate")
    for name, value in change.items():
        if isinstance(value, str):
            value = value.replace("{tmp}", str(tmp_path))
        setattr(production_settings, name, value)
    errors = deploy_errors()
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                            env=clean_env(**env), capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_the_web_server_can_borrow_connections_from_a_pool():
    found = probe(DATABASE_URL="postgres://u@db:5432/vv", DATABASE_POOL_MAX_SIZE="20")
    assert found["db_options"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 10}
    # Pooled connections already outlive a request; asking for both is a mistake.
    refused = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
        env=clean_env(DATABASE_URL="postgres://u@db:5432/vv", DATABASE_POOL_MAX_SIZE="20",
                      DATABASE_CONN_MAX_AGE="60"))
    assert refused.returncode != 0
    assert "DATABASE_POOL_MAX_SIZE and DATABASE_CONN_MAX_AGE exclude each other" in refused.stderr


@pytest.mark.django_db(transaction=True)
def test_daphne_with_a_pool_holds_no_more_connections_than_the_pool(tmp_path):
    """Each request runs in a thread of its own under daphne; without the pool every
    one left a connection behind until PostgreSQL refused new clients."""
    if connection.vendor != "postgresql":
        pytest.skip("the pool is psycopg's")
    from tests.e2e.conftest import database_url, running_daphne

    # This server's connections alone: other servers of the suite use the database too.
    name = "pool-test"
    env = {"DATABASE_POOL_MAX_SIZE": "3",
           "DATABASE_URL": f"{database_url()}?application_name={name}"}
    count = ("SELECT count(*) FROM pg_stat_activity "
             f"WHERE datname = current_database() AND application_name = '{name}'")
    with running_daphne(tmp_path / "daphne.log", env=env) as url:
        for _ in range(150):
            with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
                assert response.status == 200
        with connection.cursor() as cursor:
            cursor.execute(count)
            (held,) = cursor.fetchone()
    assert 1 <= held <= 3


@pytest.mark.django_db
def test_a_query_run_often_is_prepared_on_the_server():
    """PostgreSQL parses and plans it once per connection, not on every booking."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(6):
        User.objects.filter(username="nobody-by-this-name").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any("nobody" not in s and 'FROM "accounts_user"' in s for s in prepared), prepared


def test_the_server_process_collects_garbage_without_long_pauses():
    """videovisit.asgi, as daphne loads it: what was loaded is frozen, and the young
    generation is collected seldom enough not to bring on full passes (bench/room.py)."""
    code = ("import gc, json, videovisit.asgi as a; "
            "print(json.dumps([gc.get_threshold(), gc.get_freeze_count() > 10_000, "
            "a.GC_THRESHOLDS]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(),
                         capture_output=True, text=True, check=True)
    thresholds, frozen, configured = json.loads(out.stdout)
    assert thresholds == configured and thresholds[0] >= 10_000
    assert frozen
