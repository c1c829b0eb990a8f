"""Every page a person sees, scanned with axe-core for WCAG 2.1 A and AA (TESTING.md)."""

import pytest
from playwright.sync_api import expect

from guests.services import participant_add
from tests.accounts.factories import PASSWORD
from tests.e2e.conftest import off_loop
from tests.patients.factories import GuardianFactory, PatientFactory
from tests.visits.factories import VideoVisitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_pages_have_no_wcag_violations(page, clinician, colleague_same_unit, care_unit,
                                            assert_accessible):
    child = PatientFactory(personnummer="201706159835", first_name="Lo", last_name="Berg",
                           has_eid=False, mobile="", care_units=[care_unit])
    GuardianFactory(child=child, mobile="+46701740606")
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=child,
                              notes="Anteckning")

    page.goto("/logga-in/")
    assert_accessible(page, "login")
    page.get_by_label("Användarnamn").fill("alice")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "login with error")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Idag")
    assert_accessible(page, "start page")

    page.goto("/patienter/sok/")
    assert_accessible(page, "patient search")
    field = page.get_by_label("Personnummer")
    field.fill("850312-9821")
    field.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "patient search with error")
    field.fill("19850312-9820")
    field.press("Enter")
    expect(page.get_by_role("button", name="Skapa patient")).to_be_visible()
    assert_accessible(page, "patient search, registry card")

    for tab in ["", "relationer/", "besok/"]:
        page.goto(f"/patienter/{child.pk}/{tab}")
        assert_accessible(page, f"patient page {tab or 'overview'}")

    page.goto(f"/besok/{visit.pk}/")
    assert_accessible(page, "visit page")
    page.get_by_role("link", name="Redigera deltagare").click()
    expect(page.get_by_role("button", name="Lägg till och skicka länk")).to_be_visible()
    assert_accessible(page, "participants editor")

    page.goto("/besok/nytt/")
    assert_accessible(page, "new visit")
    page.goto("/dev/inkorg/")
    assert_accessible(page, "development inbox")


def test_guest_pages_have_no_wcag_violations(page, clinician, care_unit, assert_accessible):
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit)
    _participant, token = off_loop(participant_add, visit=visit, kind="relative",
                                   first_name="Margareta", last_name="Ek", channel="none")
    page.goto(f"/in/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan till videomöte")
    assert_accessible(page, "join page")
    page.goto("/in/" + "x" * 43 + "/")
    assert_accessible(page, "dead link page")
