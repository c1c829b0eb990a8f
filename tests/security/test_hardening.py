"""Login lockout, Content-Security-Policy and the idle timeout (DESIGN S3)."""

import datetime
import json
import logging
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.middleware import SESSION_KEY
from tests.accounts.factories import PASSWORD, UserFactory
from tests.test_settings import PRODUCTION, clean_env

pytestmark = pytest.mark.django_db


def log_in(client, password, address="192.0.2.10", username="alice"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_repeated_failures_lock_the_login_with_a_swedish_message(client, clinician,
                                                                 settings):  # S3
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "fel").status_code == 200
    locked = log_in(client, "fel")
    assert locked.status_code == 429
    content = locked.content.decode()
    assert "För många misslyckade inloggningsförsök" in content
    assert "15 minuter" in content and 'role="alert"' in content
    assert 'value="alice"' in content
    # now even the right password is refused from there
    refused = log_in(client, PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_username_and_address(client, clinician, settings):  # S3
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "fel")
    # alice at another computer still gets in
    response = log_in(client, PASSWORD, address="192.0.2.99")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clinician.pk)


def test_a_success_clears_the_count(client, clinician, settings):  # S3
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "fel")
    assert log_in(client, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "fel").status_code == 200


@pytest.fixture
def account_limit(settings):
    """The per-account limit as deployed, for a user of the test's own: the counts live
    in Redis, so a name used before would start counted."""
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 10
    settings.LOGIN_ACCOUNT_WINDOW = datetime.timedelta(minutes=15)
    settings.ADMINS = [("Säkerhet", "sakerhet@region.example")]
    return UserFactory(username=f"kim{secrets.token_hex(4)}")


HOME = "192.0.2.10"  # where the user has signed in before


def test_guessing_one_account_from_many_addresses_is_slowed_and_admins_are_told(
        client, account_limit, settings, caplog, mailoutbox):  # S3
    user = account_limit
    assert log_in(client, PASSWORD, HOME, user.username).status_code == 302
    client.post(reverse("logout"))
    # 48 wrong passwords from 12 addresses: 4 each, under each address's own limit
    addresses = [f"198.51.100.{n}" for n in range(1, 13)]
    with caplog.at_level(logging.WARNING):
        responses = [log_in(client, "gissning-1", address, user.username)
                     for address in addresses for _ in range(4)]
    assert [r.status_code for r in responses[:10]] == [200] * 10
    assert {r.status_code for r in responses[10:]} == {429}
    content = responses[-1].content.decode()
    assert ("För många misslyckade inloggningsförsök för det här användarnamnet. "
            "Försök igen om 15 minuter.") in content
    assert 'role="alert"' in content and f'value="{user.username}"' in content
    # not even the right password gets through from an address the account does not know
    assert log_in(client, PASSWORD, "203.0.113.5", user.username).status_code == 429
    assert "_auth_user_id" not in client.session
    # but the real user at their own computer is not locked out
    assert log_in(client, PASSWORD, HOME, user.username).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    # The administrators are told once, naming the account and where the guesses came from.
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["sakerhet@region.example"]
    assert user.username in mail.subject
    assert "har misslyckats 10 gånger inom 15 minuter" in mail.body
    assert "198.51.100.1: 4" in mail.body and "198.51.100.3: 2" in mail.body
    told = [r.getMessage() for r in caplog.records if r.name == "accounts.lockout"]
    assert len(told) == 1 and repr(user.username) in told[0]
    assert "gissning-1" not in caplog.text and "gissning-1" not in mail.body


def test_a_made_up_username_is_held_alike_but_mails_no_one(client, account_limit,
                                                          caplog, mailoutbox):  # S3
    # The same answers as for a real account, so they do not tell which names exist.
    name = f"ingen{secrets.token_hex(4)}"
    with caplog.at_level(logging.WARNING):
        statuses = [log_in(client, "fel", f"198.51.100.{n}", name).status_code
                    for n in range(11)]
    assert statuses == [200] * 10 + [429]
    assert [r.name for r in caplog.records].count("accounts.lockout") == 1
    assert mailoutbox == []


def test_an_account_held_still_locks_its_known_address_after_repeated_failures(
        client, account_limit, settings):  # S3
    user = account_limit
    assert log_in(client, PASSWORD, HOME, user.username).status_code == 302
    client.post(reverse("logout"))
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        log_in(client, "fel", f"198.51.100.{n}", user.username)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "fel", HOME, user.username).status_code == 200
    locked = log_in(client, "fel", HOME, user.username)
    assert locked.status_code == 429
    assert "Inloggningen är spärrad i 15 minuter" in locked.content.decode()
    assert log_in(client, PASSWORD, HOME, user.username).status_code == 429


def test_pages_carry_a_strict_content_security_policy(client, clinician):  # S3
    client.force_login(clinician)
    response = client.get(reverse("visits:start"))
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    nonce = policy["script-src"].split("'nonce-")[1].split("'")[0]
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"].startswith("'self' ")
    assert "ws://localhost:*" in policy["connect-src"]
    assert "unsafe" not in response["Content-Security-Policy"]
    content = response.content.decode()
    assert f'nonce="{nonce}"' in content
    assert '"includeIndicatorStyles": false' in content


def test_production_allows_only_wss_to_its_own_host():  # S3
    probe = ("import json, django; from django.conf import settings; django.setup(); "
             "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src']))")
    out = subprocess.run([sys.executable, "-c", probe], env=clean_env(**PRODUCTION),
                         cwd=Path(__file__).resolve().parents[2], capture_output=True,
                         text=True, check=True)
    assert json.loads(out.stdout) == ["'self'", "wss://video.example.se"]


def expire(client, settings) -> None:
    session = client.session
    session[SESSION_KEY] = time.time() - settings.STAFF_IDLE_TIMEOUT.total_seconds() - 1
    session.save()


def test_an_idle_session_is_signed_out_and_told_why(client, clinician, settings):  # S3
    client.force_login(clinician)
    assert client.get(reverse("visits:start")).status_code == 200
    expire(client, settings)
    response = client.get(reverse("visits:start"), {"dag": "2026-01-02"})
    assert response.status_code == 302
    assert response["Location"] == "/logga-in/?next=/%3Fdag%3D2026-01-02"
    login = client.get(response["Location"]).content.decode()
    assert "Du har loggats ut eftersom du inte har varit aktiv" in login
    assert client.get(reverse("visits:start")).status_code == 302


def test_an_idle_htmx_request_sends_the_browser_to_login(client, clinician, settings):
    client.force_login(clinician)
    client.get(reverse("visits:start"))
    expire(client, settings)
    response = client.get(reverse("visits:start"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("login")


def test_the_pages_own_requests_do_not_keep_the_session_alive(client, clinician,
                                                              settings):  # S3
    settings.STAFF_IDLE_TIMEOUT = datetime.timedelta(minutes=30)
    client.force_login(clinician)
    client.get(reverse("visits:start"))
    session = client.session
    session[SESSION_KEY] = time.time() - 29 * 60
    session.save()
    passive = {"HX-Request": "true", "X-Passive-Request": "1"}
    assert client.get(reverse("visits:start"), headers=passive).status_code == 200
    status = client.get(reverse("accounts:session-status"), headers=passive).json()
    assert 0 < status["seconds_left"] <= 60
    # "Fortsätt vara inloggad" gives the full time again
    extended = client.post(reverse("accounts:session-extend")).json()
    assert extended["seconds_left"] >= 30 * 60 - 2


def test_staff_pages_have_the_timeout_warning(client, clinician):  # S3
    client.force_login(clinician)
    content = client.get(reverse("visits:start")).content.decode()
    assert 'id="session-timeout"' in content and 'data-timeout="1800"' in content
    assert "Fortsätt vara inloggad" in content
    assert "js/session-timeout.js" in content
    client.post(reverse("logout"))
    assert "session-timeout" not in client.get(reverse("login")).content.decode()
