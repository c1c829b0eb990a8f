import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Guardian, Patient
from tests.patients.factories import GuardianFactory, PatientFactory

pytestmark = pytest.mark.django_db

ADULT = "198503129820"
CHILD = "201706159835"
PROTECTED = "197905279894"
TEEN_WITHOUT_EID = "201108199876"
HTMX = {"HX-Request": "true"}


class CountingRegistry:
    """A registry that must not be asked (P1: an invalid number gets no look-up)."""

    calls = 0

    def lookup(self, personnummer):
        CountingRegistry.calls += 1
        return None


def search(client, number, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("patients:search"), {"personnummer": number}, headers=headers)


@pytest.mark.parametrize(("raw", "message"), [
    ("8503129", "10 eller 12 siffror"),
    ("851312-9820", "datum som inte finns"),
    ("850312-9821", "Kontrollsiffran stämmer inte"),
])
def test_an_invalid_number_is_explained_and_not_looked_up(client, alice, settings, raw,
                                                          message):  # P1
    settings.REGISTRY_BACKEND = "tests.patients.test_views.CountingRegistry"
    CountingRegistry.calls = 0
    response = search(client, raw, htmx=True)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert CountingRegistry.calls == 0


def test_the_number_is_posted_never_put_in_a_url(client, alice):  # P1
    page = client.get(reverse("patients:search")).content.decode()
    assert 'method="post"' in page and 'hx-post="/patienter/sok/"' in page
    assert client.get(reverse("patients:search"), {"personnummer": ADULT}).content.decode(
    ).count("Eva") == 0


def test_a_known_patient_shows_their_card(client, alice, care_unit):  # P2
    patient = PatientFactory(personnummer=ADULT, care_units=[care_unit])
    response = search(client, "8503129820", htmx=True)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Eva Lindqvist" in content and "19850312-9820" in content
    assert reverse("patients:detail", args=[patient.pk]) in content
    assert "<html" not in content  # only the partial was rendered for htmx


def test_an_unknown_number_opens_skapa_patient_prefilled_from_the_registry(client, alice):  # P3
    response = search(client, ADULT)
    content = response.content.decode()
    assert "Eva Lindqvist" in content
    assert "Skapa patient" in content
    assert 'value="19850312-9820"' in content
    assert not Patient.objects.exists()


def test_a_person_the_registry_does_not_know_is_said_so(client, alice):
    content = search(client, "199001019802").content.decode()
    assert "finns inte i personuppgiftstjänsten" in content
    assert "Skapa patient" not in content


def test_registry_outage_gives_a_message_and_a_retry(client, alice, registry_server):  # P3
    registry_server.fail_next = [503, 503, 503]
    content = search(client, ADULT, htmx=True).content.decode()
    assert "Personuppgiftstjänsten svarar inte just nu" in content
    assert "Försök igen" in content and 'value="19850312-9820"' in content
    # the retry goes through once the registry is back
    assert "Eva Lindqvist" in search(client, "19850312-9820", htmx=True).content.decode()


def test_create_patient_stores_the_registry_record_and_the_mobile(client, alice,
                                                                  care_unit):  # P2, P3, P4
    response = client.post(reverse("patients:create"), {
        "personnummer": "19850312-9820", "mobile": "070-174 06 05", "email": ""})
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.personnummer == ADULT
    assert (patient.first_name, patient.last_name, patient.city) == ("Eva", "Lindqvist", "Umeå")
    assert patient.contact_at(care_unit).mobile == "+46701740605"
    assert list(patient.care_units.all()) == [care_unit]
    assert patient.created_by == alice


def test_create_patient_over_htmx_redirects_the_browser(client, alice):
    response = client.post(reverse("patients:create"), {
        "personnummer": ADULT, "mobile": "0701740605"}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("patients:detail",
                                              args=[Patient.objects.get().pk])


def test_an_adult_without_mobile_is_not_created(client, alice):  # P4
    response = client.post(reverse("patients:create"), {"personnummer": ADULT, "mobile": ""},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Mobilnummer måste anges" in response.content.decode()
    assert not Patient.objects.exists()


def test_a_bad_mobile_is_explained_and_the_typed_values_kept(client, alice):  # P4
    response = client.post(reverse("patients:create"), {
        "personnummer": ADULT, "mobile": "08-123 456 78", "email": "eva@example.se"})
    content = response.content.decode()
    assert "giltigt svenskt mobilnummer" in content
    assert 'value="08-123 456 78"' in content and 'value="eva@example.se"' in content
    assert not Patient.objects.exists()


def test_registry_outage_at_create_creates_nothing_and_keeps_the_input(client, alice,
                                                                       registry_server):
    registry_server.fail_next = [503, 503, 503]
    response = client.post(reverse("patients:create"), {
        "personnummer": ADULT, "mobile": "070-174 06 05"})
    content = response.content.decode()
    assert "svarar inte just nu" in content
    assert 'value="070-174 06 05"' in content  # the retry form re-sends it
    assert not Patient.objects.exists()


def test_a_child_is_created_with_the_guardians_from_the_registry(client, alice):  # P5
    client.post(reverse("patients:create"), {"personnummer": CHILD, "mobile": ""})
    child = Patient.objects.get()
    guardians = {(g.first_name, g.personnummer) for g in child.guardians.all()}
    assert guardians == {("Karin", "198409219840"), ("Johan", "198301309855")}
    page = client.get(reverse("patients:relations", args=[child.pk])).content.decode()
    assert "Karin Berg" in page and "Johan Berg" in page and "ombud" in page


def test_a_guardians_mobile_is_saved_on_relationer(client, alice, care_unit):  # P5
    child = PatientFactory(personnummer=CHILD, has_eid=False, mobile="",
                           care_units=[care_unit])
    karin = GuardianFactory(child=child)
    response = client.post(reverse("patients:update-guardian", args=[child.pk, karin.pk]),
                           {f"g{karin.pk}-mobile": "0701740606", f"g{karin.pk}-email": ""},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Guardian.objects.get().contact_at(care_unit).mobile == "+46701740606"


def test_refreshing_from_the_registry_keeps_guardian_contact_details(client, alice,
                                                                     care_unit, other_unit):
    child = PatientFactory(personnummer=CHILD, first_name="Lo", has_eid=False, mobile="",
                           care_units=[other_unit])
    GuardianFactory(child=child, mobile="+46701740606")
    client.post(reverse("patients:create"), {"personnummer": CHILD, "mobile": ""})
    karin = Guardian.objects.get(personnummer="198409219840")
    # The other unit keeps its number; the user's unit starts without one (S2).
    assert karin.contact_at(other_unit).mobile == "+46701740606"
    assert karin.contact_at(care_unit).mobile == ""
    assert set(child.care_units.all()) == {care_unit, other_unit}


def test_uppdatera_brings_the_registrys_news_and_keeps_contact_details(client, alice,
                                                                         care_unit):  # P3, P6
    elsa = PatientFactory(personnummer="201104089865", first_name="Elsa", has_eid=False,
                          mobile="+46701740610", care_units=[care_unit])
    assert elsa.video_refusal_on(timezone.localdate())  # 15 without e-ID, as we knew her
    response = client.post(reverse("patients:refresh", args=[elsa.pk]), headers=HTMX)
    assert "Uppgifterna är uppdaterade" in response.content.decode()
    elsa.refresh_from_db()
    assert elsa.has_eid and elsa.contact_at(care_unit).mobile == "+46701740610"
    assert not elsa.video_refusal_on(timezone.localdate())


def test_uppdatera_when_the_registry_is_down_changes_nothing(client, alice, care_unit,
                                                             registry_server):  # P3
    registry_server.fail_next = [503, 503, 503]
    eva = PatientFactory(personnummer=ADULT, first_name="Gammalt", care_units=[care_unit])
    response = client.post(reverse("patients:refresh", args=[eva.pk]), headers=HTMX)
    assert response.status_code == 503
    assert "Personuppgiftstjänsten svarar inte just nu" in response.content.decode()
    eva.refresh_from_db()
    assert eva.first_name == "Gammalt"


def test_a_teen_without_eid_may_be_created_but_is_warned(client, alice):  # P6
    content = search(client, TEEN_WITHOUT_EID).content.decode()
    assert "behöver egen e-legitimation" in content
    client.post(reverse("patients:create"), {"personnummer": TEEN_WITHOUT_EID, "mobile": ""})
    teen = Patient.objects.get()
    page = client.get(reverse("patients:detail", args=[teen.pk])).content.decode()
    assert "inte genomföras som videobesök" in page


def test_protected_identity_shows_no_address_or_guardians_outside_the_patient_page(
        client, alice, care_unit):  # P8
    content = search(client, PROTECTED).content.decode()
    assert "Skyddad identitet" in content
    assert "<dl" not in content  # no facts list: neither address nor guardians
    client.post(reverse("patients:create"), {"personnummer": PROTECTED,
                                             "mobile": "0701740607"})
    patient = Patient.objects.get()
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Skyddad identitet" in page
    assert "Adressen lämnas inte ut" in page


def test_contact_details_are_edited_on_the_overview(client, alice, care_unit):  # P4
    patient = PatientFactory(care_units=[care_unit])
    url = reverse("patients:update-contact", args=[patient.pk])
    response = client.post(url, {"mobile": "", "email": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Mobilnummer måste anges" in response.content.decode()
    client.post(url, {"mobile": "070 174 06 07", "email": "eva@example.se"})
    contact = patient.contact_at(care_unit)
    assert (contact.mobile, contact.email) == ("+46701740607", "eva@example.se")
    assert contact.updated_by == alice


def test_tabs_render_for_the_patients_unit(client, alice, care_unit):
    patient = PatientFactory(care_units=[care_unit])
    for name in ["patients:detail", "patients:relations", "patients:visits"]:
        response = client.get(reverse(name, args=[patient.pk]))
        assert response.status_code == 200
        assert "Eva Lindqvist" in response.content.decode()


def test_the_besok_tab_lists_the_patients_visits(client, alice, care_unit):
    from tests.visits.factories import VideoVisitFactory

    patient = PatientFactory(care_units=[care_unit])
    visit = VideoVisitFactory(patient=patient, care_unit=care_unit, owner=alice,
                              reason="Uppföljning")
    content = client.get(reverse("patients:visits", args=[patient.pk])).content.decode()
    assert "Uppföljning" in content
    assert reverse("visits:detail", args=[visit.pk]) in content
    assert "inga videobesök" not in content


@pytest.mark.parametrize(("language", "shown"), [("sv", "8 december 2026 09:30"),
                                                  ("en", "8 December 2026 09:30")])
def test_the_besok_tab_dates_speak_the_pages_language(client, alice, care_unit, settings,
                                                      language, shown):
    from tests.visits.factories import VideoVisitFactory, at

    patient = PatientFactory(care_units=[care_unit])
    VideoVisitFactory(patient=patient, care_unit=care_unit, owner=alice,
                      starts_at=at(datetime.date(2026, 12, 8), 9, 30))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = client.get(reverse("patients:visits", args=[patient.pk])).content.decode()
    assert f">{shown}</a>" in content


def test_outsider_is_refused_the_patient_and_the_search_card(client, outsider, care_unit):  # S2
    patient = PatientFactory(personnummer=ADULT, care_units=[care_unit])
    client.force_login(outsider)
    for name in ["patients:detail", "patients:relations", "patients:visits"]:
        assert client.get(reverse(name, args=[patient.pk])).status_code == 403
    assert client.post(reverse("patients:update-contact", args=[patient.pk]),
                       {"mobile": "0701740605"}).status_code == 403
    # searching the full number shows the registry card, nothing of the other unit's record
    content = search(client, ADULT).content.decode()
    assert reverse("patients:detail", args=[patient.pk]) not in content
    assert "Ny patient – uppgifter från personuppgiftstjänsten" in content
    assert "070-174 06 05" not in content and "+46701740605" not in content


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("patients:search")).status_code == 302
    assert client.post(reverse("patients:create"), {"personnummer": ADULT}).status_code == 302


def test_outsider_cannot_change_a_guardians_contact(client, outsider, care_unit):  # S2
    child = PatientFactory(personnummer=CHILD, has_eid=False, mobile="", care_units=[care_unit])
    karin = GuardianFactory(child=child)
    client.force_login(outsider)
    response = client.post(reverse("patients:update-guardian", args=[child.pk, karin.pk]),
                           {f"g{karin.pk}-mobile": "0701740606"})
    assert response.status_code == 403
    assert not karin.contacts.exists()
