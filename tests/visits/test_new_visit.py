"""V4: a visit created in the console, without timebook integration."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.services import booking_create
from guests.models import InterpreterAgency, InvitationLink, Participant
from guests.services import link_resolve
from integrations.models import OutboxMessage
from tests.patients.factories import GuardianFactory, PatientFactory
from tests.visits.factories import VideoVisitFactory, at
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db
EVA_MOBILE = "+46701740605"  # PatientFactory's, at each of the patient's units


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
    assert sms.recipient == EVA_MOBILE

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


# Guests invited with the visit, before "Skapa och skicka inbjudningar" (V4, G2–G4).

MARGARETA = {"kind": "relative", "first_name": "Margareta", "last_name": "Ek",
             "mobile": "070-174 06 08", "email": "", "channel": "sms", "agency": ""}
SARA = {"kind": "colleague", "first_name": "Sara", "last_name": "Holm", "mobile": "",
        "email": "sara.holm@example.se", "channel": "email", "agency": ""}


@pytest.fixture
def tolk():
    return InterpreterAgency.objects.create(name="Digital Tolk", first_name="Tolk",
                                            last_name="digital",
                                            email="videolank@digitaltolk.se")


def interpreter_of(agency: InterpreterAgency) -> dict:
    return {"kind": "interpreter", "first_name": "Tolk", "last_name": "digital", "mobile": "",
            "email": agency.email, "channel": "none", "agency": agency.pk}


def guest_rows(*rows: dict) -> dict:
    """The guest formset's fields as the browser posts them."""
    data = {"guests-TOTAL_FORMS": str(len(rows)), "guests-INITIAL_FORMS": str(len(rows))}
    for index, row in enumerate(rows):
        data |= {f"guests-{index}-{name}": value for name, value in row.items()}
    return data


def field_error(content: str, name: str) -> str | None:
    found = re.search(rf'<div class="field__errors" id="id_{name}_error"><p>([^<]*)</p>',
                      content)
    return found and found[1]


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_guests_are_invited_with_the_visit(client, alice, eva, tolk,
                                           django_capture_on_commit_callbacks):  # V4, G4, N1
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "198503129820",
                        **guest_rows(MARGARETA, interpreter_of(tolk), SARA))
    assert response.status_code == 302
    visit = VideoVisit.objects.get()
    patient, margareta, interpreter, sara = visit.participants.all()
    assert [p.kind for p in (patient, margareta, interpreter, sara)] == [
        "patient", "relative", "interpreter", "colleague"]
    assert margareta.mobile == "+46701740608" and interpreter.agency == tolk
    # Through the outbox, each with the participant's own link; the agency gets none (G3).
    sent = {(m.channel, m.recipient): InvitationLink.objects.get(pk=m.link_ref).participant
            for m in OutboxMessage.objects.filter(visit=visit)}
    assert sent == {("sms", EVA_MOBILE): patient, ("sms", "+46701740608"): margareta,
                    ("email", "sara.holm@example.se"): sara}

    page = client.get(response["Location"]).content.decode()
    assert "Besöket är skapat och inbjudningarna skickade" in page
    # Shown once to copy: the patient's link and the one no message carries.
    links = re.findall(r'id="new-link-(\d+)" type="text" readonly value="([^"]+)"', page)
    assert [int(pk) for pk, _url in links] == [patient.pk, interpreter.pk]
    assert [link_resolve(token_of(url)) for _pk, url in links] == [patient, interpreter]
    assert "Personlig länk för Tolk digital" in page
    assert "Personlig länk för Margareta Ek" not in page
    assert "Kopiera inbjudningslänk" not in client.get(response["Location"]).content.decode()


def test_a_guest_row_can_be_let_in_directly_and_keeps_the_choice(client, alice, eva):  # R2
    colleague = SARA | {"admit_directly": "on"}
    content = post(client, "198503129820", guest_add="",
                   **guest_rows(colleague, MARGARETA)).content.decode()
    assert re.search(r'name="guests-0-admit_directly"[^>]*checked', content)
    assert not re.search(r'name="guests-1-admit_directly"[^>]*checked', content)
    response = post(client, "198503129820", **guest_rows(colleague, MARGARETA))
    assert response.status_code == 302
    assert {p.first_name: p.admit_directly for p in Participant.objects.all()} == {
        "Eva": False, "Sara": True, "Margareta": False}


def test_a_refused_guest_creates_nothing_and_is_told_at_the_field(
        client, alice, eva, django_capture_on_commit_callbacks):  # V4, N1
    olle = MARGARETA | {"first_name": "Olle", "mobile": ""}
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, "198503129820",
                        **guest_rows(MARGARETA, SARA | {"email": ""}, olle))
    assert response.status_code == 422
    content = response.content.decode()
    assert field_error(content, "guests-0-mobile") is None
    assert field_error(content, "guests-1-email") == ("Ange en e-postadress: länken skickas "
                                                      "med e-post.")
    assert field_error(content, "guests-2-mobile") == ("Ange ett mobilnummer: länken skickas "
                                                       "som sms.")
    # Nothing typed is lost.
    assert 'name="guests-0-first_name" value="Margareta"' in content
    assert 'name="guests-2-first_name" value="Olle"' in content
    assert 'value="Uppföljning"' in content
    assert not VideoVisit.objects.exists() and not Participant.objects.exists()
    assert not OutboxMessage.objects.exists() and callbacks == []  # nothing will be sent


def test_a_guest_row_left_empty_is_an_error_not_skipped(client, alice, eva):  # V4
    empty = {"kind": "relative", "first_name": "", "last_name": "", "mobile": "", "email": "",
             "channel": "sms", "agency": ""}
    # Counted as an extra row, as a row added by a script would be.
    response = post(client, "198503129820", **guest_rows(empty) | {"guests-INITIAL_FORMS": "0"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "guests-0-first_name")
    assert not VideoVisit.objects.exists()


def test_only_guests_are_added_as_guests(client, alice, eva):  # G2, G4
    response = post(client, "198503129820",
                    **guest_rows(MARGARETA | {"kind": "patient"}))
    assert response.status_code == 422
    assert field_error(response.content.decode(), "guests-0-kind").startswith(
        "Välj ett giltigt alternativ")
    assert not VideoVisit.objects.exists()


def test_lagg_till_gast_without_javascript_posts_back_one_row_more(client, alice, eva,
                                                                  tolk):  # V4
    response = post(client, "198503129820", guest_add="", **guest_rows())
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="guests-TOTAL_FORMS" value="1"' in content
    assert 'name="guests-0-first_name"' in content
    assert "field__errors" not in content and "form-error" not in content  # not an error
    assert 'value="Uppföljning"' in content
    assert not VideoVisit.objects.exists()

    # Bjud in tolk: a row with the agency's preset; the rows typed so far stay (G3).
    content = post(client, "198503129820", guest_add=str(tolk.pk),
                   **guest_rows(MARGARETA)).content.decode()
    assert 'name="guests-TOTAL_FORMS" value="2"' in content
    assert 'name="guests-0-first_name" value="Margareta"' in content
    assert 'name="guests-0-mobile" value="070-174 06 08"' in content
    assert 'name="guests-1-first_name" value="Tolk"' in content
    assert 'name="guests-1-email" value="videolank@digitaltolk.se"' in content
    assert re.search(r'name="guests-1-channel" value="none"[^>]*checked', content)
    assert re.search(rf'name="guests-1-agency" value="{tolk.pk}"', content)

    # Ta bort: the row goes and the next moves up.
    content = post(client, "198503129820", guest_remove="0",
                   **guest_rows(MARGARETA, interpreter_of(tolk))).content.decode()
    assert 'name="guests-TOTAL_FORMS" value="1"' in content
    assert 'name="guests-0-first_name" value="Tolk"' in content
    assert "Margareta" not in content
    assert not VideoVisit.objects.exists()

    response = post(client, "198503129820", **guest_rows(interpreter_of(tolk)))
    assert response.status_code == 302
    assert [p.kind for p in Participant.objects.all()] == ["patient", "interpreter"]


def test_with_htmx_only_the_form_is_swapped(client, alice, eva):  # V4
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {"personnummer": "198503129820", "day": tomorrow.isoformat(), "start": "13:30",
            "minutes": "30"} | guest_rows(MARGARETA)
    url = reverse("visits:new")
    added = client.post(url, data | {"guest_add": ""}, headers={"HX-Request": "true"})
    content = added.content.decode()
    assert content.lstrip().startswith('<form id="new-visit-form"')
    assert 'name="guests-1-first_name"' in content
    created = client.post(url, data, headers={"HX-Request": "true"})
    assert created["HX-Redirect"] == reverse("visits:detail", args=[VideoVisit.objects.get().pk])


def test_a_childs_guests_are_kept_through_the_guardians_round(client, alice,
                                                              care_unit):  # P5, V4
    child = PatientFactory(personnummer="201706159835", has_eid=False, mobile="",
                           care_units=[care_unit])
    karin = GuardianFactory(child=child, mobile="+46701740606")
    GuardianFactory(child=child, personnummer="198112189876", first_name="Johan",
                    mobile="+46701740607")
    # The second guardian may join as a guest only (P5).
    johan = MARGARETA | {"first_name": "Johan", "last_name": "Berg", "mobile": "0701740607"}

    first = post(client, "201706159835", **guest_rows(johan))
    content = first.content.decode()
    assert first.status_code == 200 and "Ombud (får länken)" in content
    assert "field__errors" not in content  # the guardians offered, not an error
    assert 'name="guests-0-first_name" value="Johan"' in content
    assert not VideoVisit.objects.exists()

    # Lägg till gäst after the agent is chosen: the choice stays.
    again = post(client, "201706159835", primary_contact=karin.pk, agent=karin.pk,
                 guest_add="", **guest_rows(johan)).content.decode()
    assert "Ombud (får länken)" in again
    agent_choices = re.search(r'<select name="agent".*?</select>', again, re.S)[0]
    assert f'<option value="{karin.pk}" selected>' in agent_choices
    assert 'name="guests-0-first_name" value="Johan"' in again
    assert 'name="guests-1-first_name"' in again

    response = post(client, "201706159835", primary_contact=karin.pk, agent=karin.pk,
                    **guest_rows(johan))
    assert response.status_code == 302
    visit = VideoVisit.objects.get()
    assert [(p.kind, p.first_name) for p in visit.participants.all()] == [
        ("agent", "Karin"), ("relative", "Johan")]
    assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == [
        "+46701740606", "+46701740607"]
