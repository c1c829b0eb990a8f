"""Inkorg: with DEBUG on, what was "sent" can be read and its links followed (DESIGN N3)."""

import re

import pytest
from django.urls import reverse

from integrations.services import outbox_enqueue
from integrations.tasks import send_outbox_message

pytestmark = pytest.mark.django_db

URL = "/dev/inkorg/"


@pytest.fixture
def sent(settings):
    """One SMS, one 1177 message and one e-mail sent through the development backends."""
    settings.SMS_BACKEND = "integrations.sms.database.DatabaseSmsBackend"
    settings.PORTAL_BACKEND = "integrations.portal.database.DatabasePortalBackend"
    settings.EMAIL_BACKEND = "integrations.email.backends.DevInboxEmailBackend"
    for channel, recipient, subject, body in [
        ("sms", "+46701234567", "", "Videomöte kl 09.30: https://video.example.se/b/sms1"),
        ("portal", "199001019802", "Kallelse till videobesök", "Ditt videobesök är bokat."),
        ("email", "anna.berg@example.se", "Inbjudan till videomöte",
         "Anslut här:\nhttps://video.example.se/g/mail1"),
    ]:
        message = outbox_enqueue(channel=channel, recipient=recipient, subject=subject,
                                 body=body)
        send_outbox_message(message.pk)


def test_url_is_namespaced():
    assert reverse("integrations:dev_inbox") == URL


def test_staff_see_every_channel_newest_first_with_working_links(client, clinician, sent,
                                                                 settings):
    settings.DEBUG = True
    client.force_login(clinician)
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Inkorg</h1>" in content
    order = [content.index(text) for text in
             ("anna.berg@example.se", "19900101-9802", "+46701234567")]
    assert order == sorted(order)
    assert "Kallelse till videobesök" in content
    assert '<a href="https://video.example.se/b/sms1"' in content
    assert '<a href="https://video.example.se/g/mail1"' in content
    # Inline scripts are not allowed by the coming CSP (DESIGN S3).
    assert re.findall(r"<script(?![^>]*\bsrc=)", content) == []


def test_one_channel_can_be_chosen(client, clinician, sent, settings):
    settings.DEBUG = True
    client.force_login(clinician)
    content = client.get(URL, {"kanal": "sms"}).content.decode()
    assert "+46701234567" in content
    assert "anna.berg@example.se" not in content and "19900101-9802" not in content


def test_the_page_costs_a_fixed_number_of_queries(client, clinician, sent, settings,
                                                  django_assert_num_queries):
    settings.DEBUG = True
    client.force_login(clinician)
    # Session, user, the inbox.
    with django_assert_num_queries(3):
        client.get(URL)


def test_an_empty_inbox_says_so(client, clinician, settings):
    settings.DEBUG = True
    client.force_login(clinician)
    assert "Inget har skickats ännu." in client.get(URL).content.decode()


def test_anonymous_visitor_is_sent_to_the_login_page(client, settings):
    settings.DEBUG = True
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/logga-in/?next={URL}"


def test_with_debug_off_there_is_no_inbox(client, clinician, sent, settings):
    settings.DEBUG = False
    client.force_login(clinician)
    assert client.get(URL).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 404
