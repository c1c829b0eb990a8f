"""V4: a visit created in the console, without timebook integration."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.services import booking_create
from guests.models import Participant
from integrations.models import OutboxMessage
from tests.patients.factories import GuardianFactory, PatientFactory
from tests.visits.factories import VideoVisitFactory, at
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, clinician):
    client.force_login(clinician)
    return clinician


def post(client, number, **fields):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {"personnummer": number, "day": tomorrow.isoformat(), "start": "13:30",
            "minutes": "30", "reason": "Uppföljning"} | fields
    return client.post(reverse("visits:new"), data)


def test_skapa_och_skicka_inbjudningar_creates_the_visit_and_shows_the_link_once(
        client, alice, colleague_same_unit, care_unit, django_capture_on_commit_callbacks):
    eva = PatientFactory(personnummer="198503129820", care_units=[care_unit])
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "19850312-9820", staff=[colleague_same_unit.pk])
    visit = VideoVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.patient == eva and visit.owner == alice
    assert list(visit.staff.all()) == [colleague_same_unit]
    assert timezone.localtime(visit.starts_at).time() == datetime.time(13, 30)
    patient_participant = Participant.objects.get()
    assert patient_participant.kind == "patient"
    sms = OutboxMessage.objects.get()
    assert sms.recipient == eva.mobile

    page = client.get(response["Location"]).content.decode()
    assert "Besöket är skapat och inbjudan skickad" in page
    assert "Kopiera inbjudningslänk" in page and "/in/" in page
    again = client.get(response["Location"]).content.decode()
    assert "Kopiera inbjudningslänk" not in again  # the token is shown once


def test_a_child_needs_an_agent_among_the_guardians(client, alice, care_unit):  # P5
    child = PatientFactory(personnummer="201706159835", has_eid=False, mobile="",
                           care_units=[care_unit])
    karin = GuardianFactory(child=child, mobile="+46701740606")
    first = post(client, "201706159835").content.decode()
    assert "Ombud (får länken)" in first and "Karin Berg" in first
    assert 'value="Uppföljning"' in first  # what was typed is kept
    assert not VideoVisit.objects.exists()
    second = post(client, "201706159835", primary_contact=karin.pk, agent="").content.decode()
    assert "Välj en (1) av barnets vårdnadshavare som ombud" in second
    assert not VideoVisit.objects.exists()
    post(client, "201706159835", primary_contact=karin.pk, agent=karin.pk)
    agent = Participant.objects.get()
    assert agent.kind == "agent" and agent.personnummer == karin.personnummer


def test_the_visit_page_names_the_childs_primary_contact_and_agent(client, alice,
                                                                   care_unit):  # P5, P7
    child = PatientFactory(personnummer="201706159835", has_eid=False, mobile="",
                           care_units=[care_unit])
    johan = GuardianFactory(child=child, personnummer="198112189876", first_name="Johan",
                            mobile="+46701740607")
    karin = GuardianFactory(child=child, mobile="+46701740606", protected_identity=True)
    response = post(client, "201706159835", primary_contact=johan.pk, agent=karin.pk)
    visit = VideoVisit.objects.get()
    assert (visit.primary_contact, visit.agent) == (johan, karin)

    page = client.get(response["Location"]).content.decode()
    facts = page[page.index("Primär kontakt"):page.index("Ansvarig")]
    assert "Johan Berg, 070-174 06 07" in facts
    assert "Ombud" in facts and "Skyddad identitet" in facts
    assert "Karin" not in facts and "070-174 06 06" not in facts


def test_an_agent_without_eid_is_refused_with_the_reason(client, alice, care_unit):  # P5
    child = PatientFactory(personnummer="201706159835", has_eid=False, mobile="",
                           care_units=[care_unit])
    karin = GuardianFactory(child=child, mobile="+46701740606", has_eid=False)
    response = post(client, "201706159835", primary_contact=karin.pk, agent=karin.pk)
    assert response.status_code == 422
    assert "Ombudet måste kunna legitimera sig med e-legitimation" in response.content.decode()
    assert not VideoVisit.objects.exists() and not Participant.objects.exists()


def test_a_protected_childs_guardians_are_numbered_not_named(client, alice, care_unit):  # P8
    child = PatientFactory(personnummer="201706159835", has_eid=False, mobile="",
                           protected_identity=True, care_units=[care_unit])
    johan = GuardianFactory(child=child, personnummer="198112189876", first_name="Johan",
                            mobile="+46701740607")
    GuardianFactory(child=child, mobile="+46701740606")
    form = post(client, "201706159835").content.decode()
    assert "Vårdnadshavare 1 (skyddad identitet)" in form
    assert "Vårdnadshavare 2 (skyddad identitet)" in form
    assert "Johan" not in form and "Karin" not in form
    response = post(client, "201706159835", primary_contact=johan.pk, agent=johan.pk)
    page = client.get(response["Location"]).content.decode()
    facts = page[page.index("Primär kontakt"):page.index("Ansvarig")]
    assert "Skyddad identitet" in facts
    assert "Johan" not in facts and "070-174 06 07" not in facts
    relations = client.get(reverse("patients:relations", args=[child.pk])).content.decode()
    assert relations.index("Karin Berg") < relations.index("vårdnadshavare 2 i bokningen")


def test_a_teen_without_eid_is_refused_with_the_reason(client, alice, care_unit):  # P6
    PatientFactory(personnummer="201108199876", has_eid=False, mobile="",
                   care_units=[care_unit])
    content = post(client, "201108199876").content.decode()
    assert "behöver egen e-legitimation" in content
    assert not VideoVisit.objects.exists()


def test_an_unknown_patient_is_sent_to_the_search(client, alice):
    content = post(client, "198503129820").content.decode()
    assert "Sök och skapa patienten först" in content
    assert not VideoVisit.objects.exists()


def test_an_adult_without_mobile_is_refused(client, alice, care_unit):  # P4
    PatientFactory(personnummer="198503129820", mobile="", care_units=[care_unit])
    assert "saknar mobilnummer" in post(client, "198503129820").content.decode()
    assert not VideoVisit.objects.exists()


def test_a_teen_with_eid_and_guardians_is_booked_without_an_agent(client, alice, care_unit):
    teen = PatientFactory(personnummer="201104089865", has_eid=True, mobile="+46701740610",
                          care_units=[care_unit])
    GuardianFactory(child=teen, personnummer="197912049884", first_name="Peter")
    response = post(client, "201104089865")
    assert response.status_code == 302
    assert Participant.objects.get().kind == "patient"


def test_the_visit_is_at_the_patients_unit_among_the_users(client, alice, care_unit,
                                                           other_unit):
    alice.care_units.add(other_unit)
    PatientFactory(personnummer="198503129820", care_units=[other_unit])
    post(client, "198503129820")
    assert VideoVisit.objects.get().care_unit == other_unit


@pytest.fixture
def eva(care_unit):
    return PatientFactory(personnummer="198503129820", care_units=[care_unit])


def tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    return at(timezone.localdate() + datetime.timedelta(days=1), hour, minute)


def refused(client, message: str, **fields) -> None:
    response = post(client, "198503129820", **fields)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Participant.objects.exists() and not OutboxMessage.objects.exists()


def test_a_time_that_has_passed_is_refused(client, alice, eva):  # V4
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    refused(client, "Tiden har redan varit", day=yesterday.isoformat())
    assert not VideoVisit.objects.exists()


def test_a_time_the_clinician_already_has_a_visit_is_refused(client, alice, eva,
                                                             care_unit):  # B6, V4
    other = PatientFactory(care_units=[care_unit])
    VideoVisitFactory(owner=alice, care_unit=care_unit, patient=other,
                      starts_at=tomorrow_at(13, 15), ends_at=tomorrow_at(13, 45))
    refused(client, "Tiden är upptagen: Alice")
    assert not VideoVisit.objects.filter(patient=eva).exists()
    post(client, "198503129820", start="13:45")  # right after it is free
    assert VideoVisit.objects.filter(patient=eva).exists()


def test_a_time_a_chosen_colleague_is_booked_is_refused(client, alice, eva, care_unit, ref,
                                                        colleague_same_unit):  # B6, V4
    booking_create(kind="single", care_unit=care_unit, owner=colleague_same_unit,
                   patient=PatientFactory(care_units=[care_unit]),
                   starts_at=tomorrow_at(13), ends_at=tomorrow_at(14), contact_type=ref.bes,
                   schedule_activity=ref.video_activity, created_by=colleague_same_unit)
    name = colleague_same_unit.get_full_name()
    refused(client, f"Tiden är upptagen: {name}", staff=[colleague_same_unit.pk])
    assert not VideoVisit.objects.filter(patient=eva).exists()


def test_a_time_the_patient_already_has_a_visit_is_refused(client, alice, eva, care_unit,
                                                           colleague_same_unit):  # B6, V4
    VideoVisitFactory(owner=colleague_same_unit, care_unit=care_unit, patient=eva,
                      starts_at=tomorrow_at(13), ends_at=tomorrow_at(14))
    refused(client, "Patienten har redan ett videobesök då")
    assert VideoVisit.objects.filter(patient=eva).count() == 1
