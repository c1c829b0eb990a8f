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
    # The button says what happens to the link, as the channel changes.
    page.get_by_role("radio", name="E-post").check()
    expect(page.get_by_role("button", name="Lägg till och skicka länk")).to_be_visible()
    page.get_by_role("radio", name="Skickas inte (länken kopieras)").check()
    page.get_by_role("button", name="Lägg till och visa länken").click()

    box = page.locator(".link-box")
    expect(box).to_contain_text("Personlig länk för Tolk digital")
    copy = box.get_by_role("button", name="Kopiera inbjudningslänk")
    expect(copy).to_be_focused()
    copy.click()
    expect(box).to_contain_text("Länken är kopierad.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == box.get_by_role("textbox").input_value()
    assert "/in/" in copied
    # the meeting was never left: the visit page and its state are still there
    expect(page.locator("#visit-state")).to_have_text("Videomöte pågår")
    assert Participant.objects.get().kind == "interpreter"

    # The same link again later, for the agency: nothing is revoked (G3, G5).
    page.get_by_role("link", name="Klar").click()
    expect(page.get_by_role("link", name="Redigera deltagare")).to_be_visible()
    page.get_by_role("button", name="Visa länk Tolk digital").click()
    expect(page.locator(".link-box")).to_contain_text("Samma länk som tidigare")
    assert page.locator(".link-box").get_by_role("textbox").input_value() == copied


def test_removing_a_guest_asks_first_and_avbryt_changes_nothing(page, clinician, care_unit,
                                                                assert_accessible):  # G5
    from guests.services import participant_add
    from tests.e2e.conftest import off_loop

    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit)
    off_loop(participant_add, visit=visit, kind="relative", first_name="Margareta",
             last_name="Ek", channel="none")
    log_in(page)
    page.goto(f"/besok/{visit.pk}/")
    page.get_by_role("link", name="Redigera deltagare").click()
    remove = page.get_by_role("button", name="Ta bort Margareta Ek")
    remove.click()
    question = page.get_by_role("alertdialog", name="Vill du ta bort Margareta Ek?")
    expect(question).to_contain_text("Länken slutar gälla direkt")
    expect(question.get_by_role("heading")).to_be_focused()
    assert_accessible(page, "question before removing a guest")
    question.get_by_role("link", name="Avbryt").click()
    expect(question).to_have_count(0)
    expect(remove).to_be_focused()  # back where the person was
    assert Participant.objects.get().removed_at is None

    remove.press("Enter")
    page.get_by_role("alertdialog").get_by_role("button", name="Ta bort Margareta Ek").click()
    expect(page.locator("#participants")).to_contain_text("Margareta Ek är borttagen")
    assert Participant.objects.get().removed_at is not None

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
    page.get_by_role("button", name="Lägg till och visa länken").click()
    expect(page.locator(".link-box")).to_contain_text("Personlig länk för Sara Holm")
    assert Participant.objects.get().admit_directly

    # The same in a guest row of Nytt besök.
    page.goto("/besok/nytt/")
    page.get_by_role("button", name="Lägg till gäst").click()
    row = page.get_by_role("group", name="Gäst 1")
    expect(row.get_by_label("Släpps in direkt")).not_to_be_checked()
    row.get_by_label("Roll").select_option(label="Kollega")
    expect(row.get_by_label("Släpps in direkt")).to_be_checked()
