"""Byt ombud in Chromium: the child's other guardian becomes the agent (P5, G5)."""

import pytest
from playwright.sync_api import expect

from guests.models import Participant
from guests.services import participant_add
from integrations.models import OutboxMessage
from tests.accounts.factories import PASSWORD
from tests.e2e.conftest import off_loop
from tests.patients.factories import GuardianFactory, PatientFactory
from tests.visits.factories import VideoVisitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_change_the_agent_on_a_childs_visit_page(page, clinician, care_unit,
                                                       assert_accessible):
    lo = PatientFactory(personnummer="201706159835", first_name="Lo", last_name="Berg",
                        has_eid=False, mobile="", care_units=[care_unit])
    karin = GuardianFactory(child=lo, personnummer="198409219840", first_name="Karin",
                            mobile="+46701740606")
    johan = GuardianFactory(child=lo, personnummer="198301309855", first_name="Johan",
                            mobile="+46701740607")
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=lo,
                              primary_contact=karin, agent=karin)
    off_loop(participant_add, visit=visit, kind=Participant.Kind.AGENT, first_name="Karin",
             last_name="Berg", personnummer=karin.personnummer, mobile=karin.mobile,
             channel=Participant.Channel.SMS, send=False)

    page.goto("/logga-in/")
    page.get_by_label("Användarnamn").fill("alice")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(f"/besok/{visit.pk}/")
    participants = page.locator("#participants")
    expect(participants).to_contain_text("Karin Berg")

    page.get_by_role("link", name="Byt ombud / primär kontakt").click()
    editor = page.locator("#contacts-editor")
    expect(editor.get_by_label("Ombud (får länken)")).to_have_value(str(karin.pk))
    assert_accessible(page, "visit page with Byt ombud open")
    editor.get_by_label("Ombud (får länken)").select_option(label="Johan Berg")
    editor.get_by_role("button", name="Spara ombud och primär kontakt").click()

    expect(editor).to_contain_text("Ombudet är bytt")
    expect(participants).to_contain_text("Johan Berg")
    expect(participants).not_to_contain_text("Karin Berg")
    expect(page.locator("#visit-panel")).to_contain_text("Johan Berg")
    assert OutboxMessage.objects.get().recipient == johan.mobile
