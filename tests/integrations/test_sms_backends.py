"""The SMS backends (DESIGN N2): 46elks against a local HTTP server, and the development ones."""

import base64
import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from integrations.errors import PermanentSendError, TransientSendError
from integrations.models import DevInboxMessage
from integrations.sms import get_sms_backend
from integrations.sms.console import ConsoleSmsBackend
from integrations.sms.database import DatabaseSmsBackend
from tests.integrations.fakes import free_port

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Du har ett videomöte tis 1 dec kl 09.30: https://video.example.se/b/abc"


def send(**overrides) -> str:
    return get_sms_backend().send(**{"to": "+46701234567", "body": TEXT, "reference": "k1"}
                                  | overrides)


def test_46elks_gets_a_form_post_with_basic_auth_and_its_id_is_kept(elks):
    assert send() == "msg-1"
    [request] = elks.received
    assert (request.method, request.path) == ("POST", "/a1/sms")
    scheme, credentials = request.headers["Authorization"].split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == "u1a2b3:hemligt-lösen"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode()) == {
        "from": ["Videobesok"], "to": ["+46701234567"], "message": [TEXT],
    }


def test_46elks_server_error_is_transient(elks):
    elks.reply(503, "Service Unavailable")
    with pytest.raises(TransientSendError, match="HTTP 503"):
        send()


def test_46elks_throttling_is_transient(elks):
    elks.reply(429, "Too many requests")
    with pytest.raises(TransientSendError, match="HTTP 429"):
        send()


def test_46elks_refusal_is_permanent_and_says_why(elks):
    elks.reply(400, "Invalid to number")
    with pytest.raises(PermanentSendError) as refused:
        send(to="+4670")
    assert "HTTP 400" in str(refused.value)
    assert "Invalid to number" in str(refused.value)


def test_46elks_wrong_credentials_are_permanent(elks):
    elks.reply(401, "Unauthorized")
    with pytest.raises(PermanentSendError, match="HTTP 401"):
        send()


def test_46elks_not_answering_in_time_is_transient(elks, settings):
    settings.ELKS_TIMEOUT = 0.3
    elks.reply(200, {"id": "late"}, delay=1.5)
    with pytest.raises(TransientSendError, match="svarade inte i tid"):
        send()
    assert len(elks.received) == 1


def test_46elks_out_of_reach_is_transient(elks, settings):
    settings.ELKS_API_URL = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TransientSendError, match="gick inte att nå"):
        send()


def test_46elks_answer_without_json_still_counts_as_sent(elks):
    # Taken is taken: failing it would send the SMS twice on the retry.
    elks.reply(200, "OK")
    assert send() == ""
    assert len(elks.received) == 1


def test_46elks_without_credentials_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELKS_")}
    env |= {"SMS_BACKEND": "integrations.sms.elks.ElksSmsBackend"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "ELKS_API_USERNAME and ELKS_API_PASSWORD must be set" in result.stderr


def test_console_backend_writes_the_sms_to_the_log(caplog, settings):
    settings.SMS_BACKEND = "integrations.sms.console.ConsoleSmsBackend"
    with caplog.at_level(logging.INFO, logger="integrations.sms.console"):
        provider_id = send()
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)
    assert provider_id.startswith("console-")
    assert "+46701234567" in caplog.text and TEXT in caplog.text


@pytest.mark.django_db
def test_database_backend_keeps_the_sms_in_the_dev_inbox(settings):
    settings.SMS_BACKEND = "integrations.sms.database.DatabaseSmsBackend"
    assert isinstance(get_sms_backend(), DatabaseSmsBackend)
    provider_id = send()
    kept = DevInboxMessage.objects.get()
    assert (kept.channel, kept.recipient, kept.body) == ("sms", "+46701234567", TEXT)
    assert provider_id == f"dev-{kept.pk}"


def test_with_no_environment_sms_and_1177_go_to_the_dev_inbox():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SMS_", "PORTAL_", "EMAIL_", "DJANGO_", "DATABASE_", "REDIS_"))}
    probe = ("import django; from django.conf import settings; django.setup(); "
             "print(settings.SMS_BACKEND, settings.PORTAL_BACKEND, settings.EMAIL_BACKEND)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT,
                            env=env | {"DJANGO_SETTINGS_MODULE": "videovisit.settings"},
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == [
        "integrations.sms.database.DatabaseSmsBackend",
        "integrations.portal.database.DatabasePortalBackend",
        "integrations.email.backends.DevInboxEmailBackend",
    ]
