"""Redigera deltagare in Chromium: invite an interpreter mid-meeting, copy the link (G1, G3)."""

import pytest
from playwright.sync_api import expect

from guests.models import InterpreterAgency, Participant
from tests.e2e.conftest import log_in
from tests.visits.factories import VideoVisitFactory
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_interpreter_is_invited_during_the_meeting_and_the_link_copied(page, clinician,
                                                                         care_unit):
    InterpreterAgency.objects.create(name="Digital Tolk", first_name="Tolk", last_name="digital",
                                     email="videolank@digitaltolk.se")
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit,
                              state=VideoVisit.State.VIDEO_LIVE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page)
    page.goto(f"/besok/{visit.pk}/")
    expect(page.locator("#visit-state")).to_have_text("Videomöte pågår")

    page.get_by_role("link", name="Redigera deltagare").click()
    page.get_by_role("link", name="Bjud in tolk (Digital Tolk)").click()
    expect(page.get_by_label("Förnamn")).to_have_value("Tolk")
    expect(page.get_by_role("textbox", name="E-post")).to_have_value("videolank@digitaltolk.se")
    expect(page.get_by_role("radio", name="Skickas inte (länken kopieras)")).to_be_checked()
    page.get_by_role("button", name="Lägg till och skicka länk").click()

    box = page.locator(".link-box")
    expect(box).to_contain_text("Personlig länk för Tolk digital")
    box.get_by_role("button", name="Kopiera inbjudningslänk").click()
    expect(box).to_contain_text("Länken är kopierad.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == box.get_by_role("textbox").input_value()
    assert "/in/" in copied
    # the meeting was never left: the visit page and its state are still there
    expect(page.locator("#visit-state")).to_have_text("Videomöte pågår")
    assert Participant.objects.get().kind == "interpreter"


def test_slapps_in_direkt_follows_the_role_until_staff_choose(page, clinician,
                                                              care_unit):  # R2
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit,
                              state=VideoVisit.State.VIDEO_LIVE)
    log_in(page)
    page.goto(f"/besok/{visit.pk}/")
    page.get_by_role("link", name="Redigera deltagare").click()
    role, box = page.get_by_label("Roll"), page.get_by_label("Släpps in direkt")
    expect(box).not_to_be_checked()
    role.select_option(label="Kollega")
    expect(box).to_be_checked()
    role.select_option(label="Tolk")
    expect(box).not_to_be_checked()
    box.check()  # staff's own choice stays whatever the role
    role.select_option(label="Annan gäst")
    expect(box).to_be_checked()

    role.select_option(label="Kollega")
    page.get_by_label("Förnamn").fill("Sara")
    page.get_by_label("Efternamn").fill("Holm")
    page.get_by_label("Skickas inte (länken kopieras)").check()
    page.get_by_role("button", name="Lägg till och skicka länk").click()
    expect(page.locator(".link-box")).to_contain_text("Personlig länk för Sara Holm")
    assert Participant.objects.get().admit_directly

    # The same in a guest row of Nytt besök.
    page.goto("/besok/nytt/")
    page.get_by_role("button", name="Lägg till gäst").click()
    row = page.get_by_role("group", name="Gäst 1")
    expect(row.get_by_label("Släpps in direkt")).not_to_be_checked()
    row.get_by_label("Roll").select_option(label="Kollega")
    expect(row.get_by_label("Släpps in direkt")).to_be_checked()
