"""Personal links' tokens never reach a log, whichever process writes it (G5)."""

import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from guests.models import Participant
from guests.services import participant_add
from integrations.models import OutboxMessage
from tests.visits.factories import VideoVisitFactory
from videovisit.celery import app as celery_app
from videovisit.logging import RedactLinkTokens

ROOT = Path(__file__).resolve().parent.parent
# A link's path with anything but the redacted form after /in/.
LIVE_LINK = re.compile(r"/in/(?!…/)[^/\s]+")


def production_env(**extra: str) -> dict[str, str]:
    """A process as production runs it (DEBUG off), on the test database and Redis."""
    from tests.e2e.conftest import database_url
    from tests.test_settings import clean_env

    # The test's own key: the worker makes the same links as the tokens this test holds.
    return clean_env(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=settings.SECRET_KEY,
                     DATABASE_URL=database_url(), REDIS_URL=settings.REDIS_URL,
                     CHANNEL_LAYER_PREFIX=settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
                     **extra)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("email_backend", [
    "integrations.email.backends.DevInboxEmailBackend",  # logs each mail
    "django.core.mail.backends.console.EmailBackend",  # prints it: Celery logs stdout
])
def test_a_worker_sending_invitations_logs_no_link_token(tmp_path, care_unit,
                                                         email_backend):  # G5
    """The Celery worker, as compose starts it, with development backends that log or
    print every message: its whole output carries the links only redacted."""
    celery_app.control.purge()  # tasks left by earlier tests would act on other rows
    log = tmp_path / "worker.log"
    env = production_env(SMS_BACKEND="integrations.sms.console.ConsoleSmsBackend",
                         EMAIL_BACKEND=email_backend)
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "videovisit", "worker", "--loglevel", "INFO",
             "--concurrency", "1", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        visit = VideoVisitFactory(care_unit=care_unit)
        _sms_guest, sms_token = participant_add(
            visit=visit, kind=Participant.Kind.RELATIVE, first_name="Margareta",
            last_name="Ek", channel=Participant.Channel.SMS, mobile="+46701740608")
        _mail_guest, mail_token = participant_add(
            visit=visit, kind=Participant.Kind.INTERPRETER, first_name="Amir",
            last_name="Haddad", channel=Participant.Channel.EMAIL, email="amir@tolk.example.se")
        deadline = time.monotonic() + 60
        while OutboxMessage.objects.exclude(status="sent").exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the worker did not send the invitations:\n" + log.read_text())
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    output = log.read_text()
    assert "SMS to +46701740608" in output and "amir@tolk.example.se" in output, output
    assert sms_token not in output and mail_token not in output
    assert LIVE_LINK.findall(output) == []
    assert output.count("/in/…/") >= 2


@pytest.mark.parametrize("debug", ["true", "false"])
def test_the_web_servers_request_and_access_logs_redact_link_tokens(debug):  # G5
    """runserver's access log and Django's log of a refused link, as settings.LOGGING
    configures them, in development and in production."""
    token = "Zr4Ck9q2Lw7TnE1vXyB6uPaHs3Dm8GjKo5fRiQcWtYe"
    code = (
        "import django, logging; django.setup(); "
        f"logging.getLogger('django.server').info('\"GET /in/{token}/ HTTP/1.1\" 302 0'); "
        f"logging.getLogger('django.request').warning('Gone: /in/%s/', '{token}')"
    )
    env = {"DJANGO_DEBUG": debug}
    if debug == "false":
        env["DJANGO_SECRET_KEY"] = "x7!kq2-production-like-secret-0f9d8s7a6p5o4i3u2y1t-rewq"
    from tests.test_settings import clean_env

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(**env),
                            capture_output=True, text=True, check=True)
    output = result.stdout + result.stderr
    assert token not in output
    assert output.count("/in/…/") == 2, output


def test_a_traceback_that_carries_a_link_is_redacted():  # G5
    """An exception whose text holds a message body, logged with its traceback."""
    token = "Zr4Ck9q2Lw7TnE1vXyB6uPaHs3Dm8GjKo5fRiQcWtYe"
    try:
        raise ValueError(f"provider refused: Välkommen https://video.example.se/in/{token}/")
    except ValueError:
        record = logging.LogRecord("integrations.tasks", logging.ERROR, __file__, 1,
                                   "Outbox message %s raised", (7,), sys.exc_info())
    RedactLinkTokens().filter(record)
    formatted = logging.Formatter().format(record)
    assert "Outbox message 7 raised" in formatted and "ValueError" in formatted
    assert token not in formatted and "/in/…/" in formatted
