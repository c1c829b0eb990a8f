"""e-ID that does not work, in the browser: the patient's page and the staff's alert (G4)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, running_daphne
from tests.e2e.test_room import invite
from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_legitimera_without_bankid_tells_the_patient_whom_to_call_and_staff_see_it(
        browser, tmp_path, clinician, care_unit, assert_accessible):  # G4
    care_unit.phone = "+46101234567"
    care_unit.save()
    eva = PatientFactory(first_name="Eva", last_name="Lindqvist", care_units=[care_unit])
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=eva)
    # BankID chosen, its certificate forgotten.
    env = {"EID_BACKEND": "integrations.eid.bankid.BankIdEid", "BANKID_CERT_PATH": "",
           "BANKID_KEY_PATH": ""}
    with running_daphne(tmp_path / "daphne.log", env=env) as url:
        patient = browser.new_context(base_url=url, timezone_id="Europe/Stockholm").new_page()
        staff = browser.new_context(base_url=url, timezone_id="Europe/Stockholm").new_page()
        try:
            patient.goto(f"/in/{invite(visit)}/")
            patient.get_by_role("link", name="Fortsätt till legitimering").click()
            with patient.expect_response(lambda r: "fungerar-inte" in r.url) as answer:
                patient.get_by_role("button", name="Legitimera med BankID").click()
            assert answer.value.status == 503
            expect(patient.get_by_role("heading", level=1)).to_have_text(
                "Legitimeringen fungerar inte just nu")
            expect(patient.get_by_role("link", name="010-123 45 67")).to_have_attribute(
                "href", "tel:+46101234567")
            assert_accessible(patient, "e-ID unavailable page")

            log_in(staff)
            expect(staff.get_by_role("alert")).to_contain_text(
                "E-legitimationen fungerar inte just nu.")
            assert_accessible(staff, "Idag with the e-ID alert")
        finally:
            patient.context.close()
            staff.context.close()
