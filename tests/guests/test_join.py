"""Joining from the link: Inbjudan, Legitimera with e-ID, Testa utrustning, Väntrum (G4, R2)."""

import datetime
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from guests.joining import EID_SESSION_KEY
from guests.models import Participant
from guests.services import link_issue, participant_add, participant_remove
from integrations import eid
from tests.visits.factories import VideoVisitFactory
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinician, care_unit):
    return VideoVisitFactory(owner=clinician, care_unit=care_unit)


def invite(client, visit, kind=Participant.Kind.PATIENT, **fields) -> Participant:
    if kind == Participant.Kind.PATIENT:
        fields.setdefault("personnummer", visit.patient.personnummer)
    participant, token = participant_add(visit=visit, kind=kind, first_name="Eva",
                                         last_name="Lindqvist", channel="none", **fields)
    client.get(reverse("guests:redeem", args=[token]))
    return participant


@pytest.fixture
def simulator(settings):
    settings.DEBUG = True  # the simulator's page control exists only with DEBUG on
    settings.EID_BACKEND = "integrations.eid.simulator.SimulatorEid"
    settings.EID_SIMULATOR_PERSONNUMMER = ""


def start_eid(client) -> str:
    response = client.post(reverse("guests:eid_start"))
    assert response.status_code == 302 and response["Location"] == reverse("guests:eid")
    return client.session["join_eid_order"]["order_ref"]


def test_a_patient_goes_from_the_invitation_to_legitimera(client, visit):  # G4
    invite(client, visit)
    page = client.get(reverse("guests:join")).content.decode()
    assert "Fortsätt till legitimering" in page and reverse("guests:eid") in page
    for name in ["guests:check", "guests:room"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("guests:eid")


def test_a_guest_needs_no_eid(client, visit):  # G4
    invite(client, visit, Participant.Kind.INTERPRETER)
    page = client.get(reverse("guests:join")).content.decode()
    assert reverse("guests:check") in page and "BankID" not in page
    assert client.get(reverse("guests:eid"))["Location"] == reverse("guests:check")
    assert "Testa utrustning" in client.get(reverse("guests:check")).content.decode()
    room = client.get(reverse("guests:room")).content.decode()
    assert "Vårdpersonalen släpper in dig snart" in room
    assert f'data-room-url="/ws/visit/{visit.pk}/"' in room


def test_the_join_pages_never_name_a_revealing_unit_nor_the_reason(client, visit,
                                                                    care_unit):  # G6
    care_unit.name, care_unit.name_is_revealing = "Beroendecentrum Syd", True
    care_unit.save()
    VideoVisit.objects.filter(pk=visit.pk).update(reason="Alkoholberoende")
    invite(client, visit, Participant.Kind.INTERPRETER)
    for name in ["guests:join", "guests:check", "guests:room"]:
        page = client.get(reverse(name)).content.decode()
        assert "Beroendecentrum" not in page and "Alkoholberoende" not in page, name


def test_legitimera_shows_a_server_made_qr_code_and_never_the_secret(client, visit, simulator):
    invite(client, visit)
    start_eid(client)
    order = client.session["join_eid_order"]
    page = client.get(reverse("guests:eid")).content.decode()
    assert "<svg" in page and order["qr_start_secret"] not in page
    assert order["order_ref"] not in page
    assert f"autostarttoken={order['auto_start_token']}" in page  # "Öppna BankID"
    qr = client.get(reverse("guests:eid_qr"), headers={"HX-Request": "true"})
    assert qr.status_code == 200 and b"<svg" in qr.content
    assert order["qr_start_secret"].encode() not in qr.content


def test_legitimera_says_start_the_app_once(client, visit, simulator):
    invite(client, visit)
    start_eid(client)
    page = client.get(reverse("guests:eid")).content.decode()
    assert page.count("Starta BankID-appen") == 1
    assert "Starta BankID-appen i din mobil och tryck på QR-ikonen." in page
    # The poll brings BankID's messages, but not the start the instruction already gives.
    status = client.get(reverse("guests:eid_collect"), headers={"HX-Request": "true"})
    assert status.status_code == 200 and "Starta BankID-appen" not in status.content.decode()


def test_the_invited_patient_identifies_and_goes_on(client, visit, simulator):  # G4
    participant = invite(client, visit)
    start_eid(client)
    page = client.get(reverse("guests:eid")).content.decode()
    assert "Identifiera som Eva Lindqvist" in page
    client.post(reverse("guests:eid_simulate"), {"personnummer": visit.patient.personnummer})
    response = client.get(reverse("guests:eid_collect"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("guests:check")
    assert client.session[EID_SESSION_KEY] == participant.pk
    assert "join_eid_order" not in client.session
    assert client.get(reverse("guests:check")).status_code == 200


def test_someone_else_identifying_is_refused_and_logged(client, visit, simulator, caplog):  # G4
    participant = invite(client, visit)
    start_eid(client)
    client.post(reverse("guests:eid_simulate"), {"personnummer": "191212121212"})
    with caplog.at_level(logging.WARNING, logger="guests.views"):
        response = client.get(reverse("guests:eid_collect"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("guests:eid")
    assert EID_SESSION_KEY not in client.session
    page = client.get(reverse("guests:eid")).content.decode()
    assert "annat personnummer än det som inbjudan gäller" in page
    assert f"participant {participant.pk}" in caplog.text and "mismatch" in caplog.text
    assert "191212121212" not in caplog.text
    assert client.get(reverse("guests:room"))["Location"] == reverse("guests:eid")


def test_a_failed_identification_says_bankids_words(client, visit, simulator):
    invite(client, visit)
    order_ref = start_eid(client)
    eid.get_backend().fail(order_ref, "userCancel")
    response = client.get(reverse("guests:eid_collect"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("guests:eid")
    assert "Åtgärden avbröts." in client.get(reverse("guests:eid")).content.decode()


def test_leaving_legitimera_cancels_the_order(client, visit, simulator):
    invite(client, visit)
    order_ref = start_eid(client)
    response = client.post(reverse("guests:eid_cancel"), {"beacon": "1"})
    assert response.status_code == 204
    assert "join_eid_order" not in client.session
    with pytest.raises(eid.EidError):
        eid.collect(order_ref)


def test_the_simulator_control_does_not_exist_without_debug(client, visit, settings):
    invite(client, visit)
    start_eid(client)
    assert "Identifiera som" not in client.get(reverse("guests:eid")).content.decode()
    assert client.post(reverse("guests:eid_simulate"),
                       {"personnummer": visit.patient.personnummer}).status_code == 404


def test_after_the_meeting_the_room_page_says_it_has_ended_not_vantrum(client, visit):  # R5
    invite(client, visit, Participant.Kind.INTERPRETER)
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_ENDED)
    room = client.get(reverse("guests:room")).content.decode()
    assert "<title>Videomötet är avslutat</title>" in room
    assert re.search(r"<h1 [^>]*>Videomötet är avslutat</h1>", room)


@pytest.mark.parametrize("state,says", [
    (VideoVisit.State.FINISHED, "Besöket är avslutat"),
    (VideoVisit.State.CANCELLED, "Besöket är avbokat"),
])
def test_after_the_visit_no_page_opens_and_says_why(client, visit, state, says):  # R5
    invite(client, visit, Participant.Kind.INTERPRETER)
    VideoVisit.objects.filter(pk=visit.pk).update(state=state)
    for name in ["guests:join", "guests:check", "guests:room"]:
        response = client.get(reverse(name))
        assert response.status_code == 410 and says in response.content.decode()


def test_a_removed_participant_and_a_browser_without_a_link_are_turned_away(client, visit):
    assert client.get(reverse("guests:room")).status_code == 410
    participant = invite(client, visit, Participant.Kind.INTERPRETER)
    participant_remove(participant=participant)
    response = client.get(reverse("guests:room"))
    assert response.status_code == 410 and "gäller inte längre" in response.content.decode()


def test_the_join_pages_speak_english_when_chosen(client, visit, settings):
    invite(client, visit, Participant.Kind.INTERPRETER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Continue to the equipment test" in client.get(reverse("guests:join")).content.decode()
    room = client.get(reverse("guests:room")).content.decode()
    assert "The care staff will let you in soon." in room and "Leave the meeting" in room


def test_a_new_link_ends_the_session_of_the_old_one(client, visit):  # G5
    participant = invite(client, visit, Participant.Kind.INTERPRETER)
    assert client.get(reverse("guests:room")).status_code == 200
    link_issue(participant=participant)
    assert client.get(reverse("guests:room")).status_code == 410


def test_a_join_session_ends_with_the_link_after_the_visit(client, visit, settings):  # G5
    invite(client, visit, Participant.Kind.INTERPRETER)
    assert client.get(reverse("guests:room")).status_code == 200
    past = timezone.now() - settings.INVITATION_GRACE - datetime.timedelta(minutes=1)
    VideoVisit.objects.filter(pk=visit.pk).update(starts_at=past - datetime.timedelta(hours=1),
                                                  ends_at=past)
    response = client.get(reverse("guests:room"))
    assert response.status_code == 410
    assert "Länken har gått ut eftersom besökstiden är slut." in response.content.decode()
    # A meeting that runs long is not cut off.
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_LIVE)
    assert client.get(reverse("guests:room")).status_code == 200
