"""Byt ombud in Chromium: the child's other guardian becomes the agent (P5, G5)."""

import pytest
from playwright.sync_api import expect

from guests.models import Participant
from guests.services import participant_add
from integrations.models import OutboxMessage
from tests.e2e.conftest import log_in, off_loop
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
             last_name="Berg", personnummer=karin.personnummer, mobile="+46701740606",
             channel=Participant.Channel.SMS, send=False)

    log_in(page)
    page.goto(f"/besok/{visit.pk}/")
    participants = page.locator("#participants")
    expect(participants).to_contain_text("Karin Berg")

    page.get_by_role("link", name="Byt ombud / primär kontakt").click()
    editor = page.locator("#contacts-editor")
    expect(editor.get_by_label("Ombud (får länken)")).to_have_value(str(karin.pk))
    assert_accessible(page, "visit page with Byt ombud open")
    editor.get_by_label("Ombud (får länken)").select_option(label="Johan Berg")
    editor.get_by_role("button", name="Spara ombud och primär kontakt").click()
    # The old agent's link ends: asked first, with focus on the question (G5).
    question = editor.get_by_role("alertdialog", name="Vill du byta ombud till Johan Berg?")
    expect(question.get_by_role("heading")).to_be_focused()
    assert_accessible(page, "question before changing the agent")
    question.get_by_role("button", name="Byt ombud").click()

    expect(editor).to_contain_text("Ombudet är bytt")
    expect(participants).to_contain_text("Johan Berg")
    expect(participants).not_to_contain_text("Karin Berg")
    expect(page.locator("#visit-panel")).to_contain_text("Johan Berg")
    assert OutboxMessage.objects.get().recipient == johan.contact_at(care_unit).mobile


def test_staff_move_a_visit_to_another_time(page, clinician, care_unit, assert_accessible):
    import datetime

    from django.utils import timezone

    from tests.visits.factories import at

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    eva = PatientFactory(personnummer="198503129820", first_name="Eva", last_name="Lindqvist",
                         mobile="+46701740605", care_units=[care_unit])
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=eva,
                              starts_at=at(tomorrow, 10), ends_at=at(tomorrow, 10, 30))
    off_loop(participant_add, visit=visit, kind=Participant.Kind.PATIENT, first_name="Eva",
             last_name="Lindqvist", personnummer=eva.personnummer, mobile="+46701740605",
             channel=Participant.Channel.SMS, send=False)

    log_in(page)
    page.goto(f"/besok/{visit.pk}/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("10:00–10:30")

    page.get_by_role("link", name="Flytta", exact=True).click()
    editor = page.locator("#reschedule-editor")
    expect(editor.get_by_role("heading", name="Flytta besöket")).to_be_focused()
    expect(editor.get_by_label("Starttid")).to_have_value("10:00")
    assert_accessible(page, "visit page with Flytta open")
    editor.get_by_label("Starttid").fill("14:30")
    editor.get_by_label("Längd").select_option(label="45 minuter")
    editor.get_by_role("button", name="Flytta besöket").click()

    expect(editor).to_contain_text("Besöket är flyttat till")
    expect(heading).to_contain_text("14:30–15:15")
    assert "flyttat" in OutboxMessage.objects.get(recipient="+46701740605").body
