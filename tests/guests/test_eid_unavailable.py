"""Legitimera when e-ID does not work: misconfigured, BankID down or out of reach (G4).

The patient gets a page that says so and whom to call (503, never a server error),
and staff see the alert on their pages until BankID works again.
"""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from guests.models import Participant
from guests.services import participant_add
from tests.integrations import test_eid_bankid
from tests.visits.factories import VideoVisitFactory

# BankID as a local HTTPS server (tests/integrations/test_eid_bankid.py).
certs, fake_bankid, bankid = (test_eid_bankid.certs, test_eid_bankid.fake_bankid,
                              test_eid_bankid.bankid)
AUTH_ANSWER = test_eid_bankid.AUTH_ANSWER

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
STAFF_ALERT = "E-legitimationen fungerar inte just nu."
PATIENT_PAGE = "Legitimeringen fungerar inte just nu"


@pytest.fixture
def visit(clinician, care_unit):
    care_unit.phone = "+46101234567"
    care_unit.save()
    return VideoVisitFactory(owner=clinician, care_unit=care_unit)


@pytest.fixture
def staff(clinician) -> Client:
    staff = Client()
    staff.force_login(clinician)
    return staff


def open_link(client, visit) -> Participant:
    """The patient opens her link."""
    participant, token = participant_add(
        visit=visit, kind=Participant.Kind.PATIENT, first_name="Eva", last_name="Lindqvist",
        personnummer=visit.patient.personnummer, channel="none")
    client.get(reverse("guests:redeem", args=[token]))
    return participant


def staff_pages(staff, visit) -> list[str]:
    return [staff.get(reverse("visits:start")).content.decode(),
            staff.get(reverse("visits:detail", args=[visit.pk])).content.decode()]


def test_legitimera_without_a_bankid_certificate_tells_the_patient_whom_to_call(
        client, staff, visit, settings, caplog):  # G4
    settings.DEBUG = False
    settings.EID_BACKEND = "integrations.eid.bankid.BankIdEid"
    settings.BANKID_CERT_PATH = settings.BANKID_KEY_PATH = ""
    participant = open_link(client, visit)
    assert all(STAFF_ALERT not in page for page in staff_pages(staff, visit))

    with caplog.at_level(logging.INFO):
        response = client.post(reverse("guests:eid_start"), follow=True)

    assert response.status_code == 503
    page = response.content.decode()
    assert PATIENT_PAGE in page and "Felet ligger inte hos dig" in page
    assert 'Ring mottagningen på <a href="tel:+46101234567">010-123 45 67</a>' in page
    # Logged with its cause for the operator, without the person's number.
    assert "e-ID backend failed at start_auth" in caplog.text
    assert "BANKID_CERT_PATH" in caplog.text
    assert participant.personnummer not in caplog.text
    # Staff see it on Idag and on the visit page.
    assert all(STAFF_ALERT in page for page in staff_pages(staff, visit))
    # The Legitimera page itself stays: "Försök igen" tries once more.
    again = client.get(reverse("guests:eid"))
    assert again.status_code == 200 and "Legitimera med BankID" in again.content.decode()


def test_bankid_down_while_the_patient_identifies(client, staff, visit, bankid):  # G4
    open_link(client, visit)
    bankid.answer("/rp/v6.0/auth", 200, AUTH_ANSWER)
    client.post(reverse("guests:eid_start"))
    bankid.answer("/rp/v6.0/collect", 503, {"errorCode": "maintenance", "details": "Down"})

    response = client.get(reverse("guests:eid_collect"), headers=HTMX)

    assert response["HX-Redirect"] == reverse("guests:eid_unavailable")
    page = client.get(reverse("guests:eid_unavailable"))
    assert page.status_code == 503 and PATIENT_PAGE in page.content.decode()
    assert "join_eid_order" not in client.session
    assert all(STAFF_ALERT in page for page in staff_pages(staff, visit))

    # BankID is back: the next identification starts, and the alert is gone.
    bankid.answer("/rp/v6.0/auth", 200, AUTH_ANSWER)
    assert client.post(reverse("guests:eid_start"))["Location"] == reverse("guests:eid")
    assert "join_eid_order" in client.session
    assert all(STAFF_ALERT not in page for page in staff_pages(staff, visit))


def test_bankid_whose_certificate_we_do_not_trust_is_out_of_reach(client, staff, visit,
                                                                  bankid, settings):  # G4
    settings.BANKID_CA_PATH = ""  # the TLS handshake with the fake server fails
    open_link(client, visit)
    response = client.post(reverse("guests:eid_start"), follow=True)
    assert response.status_code == 503 and PATIENT_PAGE in response.content.decode()
    assert all(STAFF_ALERT in page for page in staff_pages(staff, visit))


def test_the_persons_own_situation_is_no_outage(client, staff, visit, bankid):  # G4
    """An identification already in progress is BankID's message on the usual page."""
    open_link(client, visit)
    bankid.answer("/rp/v6.0/auth", 400, {"errorCode": "alreadyInProgress", "details": "x"})
    response = client.post(reverse("guests:eid_start"), follow=True)
    assert response.status_code == 200
    assert "En identifiering eller underskrift pågår redan" in response.content.decode()
    assert all(STAFF_ALERT not in page for page in staff_pages(staff, visit))
