"""Sök patient → unknown → registry → Skapa patient, in Chromium (P1, P3, P4, P5)."""

import pytest
from playwright.sync_api import expect

from patients.models import Patient, PatientContact
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(page, clinician):
    log_in(page)
    return page


def test_an_adult_is_found_in_the_registry_and_created(signed_in):
    page = signed_in
    page.get_by_role("link", name="Sök patient").click()
    field = page.get_by_label("Personnummer")
    field.fill("850312-9821")
    field.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Kontrollsiffran stämmer inte")
    url_before = page.url

    field.fill("850312-9820")
    field.press("Enter")
    card = page.locator("#search-result")
    expect(card).to_contain_text("Eva Lindqvist")
    assert page.url == url_before  # htmx swapped the result in; no reload, no number in URL
    card.get_by_role("button", name="Skapa patient").click()
    expect(card).to_contain_text("Mobilnummer måste anges")

    card.get_by_label("Mobilnummer").fill("070-174 06 05")
    card.get_by_role("button", name="Skapa patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eva Lindqvist")
    expect(page.get_by_label("Mobilnummer")).to_have_value("070-174 06 05")
    assert PatientContact.objects.get().mobile == "+46701740605"


def test_a_child_is_created_with_guardians_on_relationer(signed_in, care_unit):
    page = signed_in
    page.get_by_role("link", name="Sök patient").click()
    field = page.get_by_label("Personnummer")
    field.fill("20170615-9835")
    field.press("Enter")
    card = page.locator("#search-result")
    expect(card).to_contain_text("Lo Berg")
    expect(card).to_contain_text("Karin Berg, Johan Berg")
    card.get_by_role("button", name="Skapa patient").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lo Berg")
    page.get_by_role("link", name="Relationer").click()
    karin = page.get_by_role("article", name="Karin Berg")
    expect(karin).to_contain_text("19840921-9840")
    karin.get_by_label("Mobilnummer").fill("0701740606")
    karin.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("article", name="Karin Berg")).to_contain_text("Sparat.")
    assert Patient.objects.get().guardians.get(first_name="Karin").contact_at(
        care_unit).mobile == "+46701740606"
