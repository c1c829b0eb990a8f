"""Redigera deltagare on the visit page (G1–G5)."""

import re

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry
from guests.models import InterpreterAgency, InvitationLink, Participant
from guests.services import LinkProblem, link_resolve, participant_add
from integrations.delivery import body_to_send
from integrations.errors import PermanentSendError
from integrations.models import OutboxMessage
from tests.visits.factories import VideoVisitFactory
from visits.forms import ParticipantForm
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
CONFIRMED = {"bekraftat": "ja"}  # the answer to the question a destructive action asks


@pytest.fixture
def visit(client, clinician, care_unit):
    client.force_login(clinician)
    return VideoVisitFactory(owner=clinician, care_unit=care_unit)


@pytest.fixture
def tolk():
    return InterpreterAgency.objects.create(name="Digital Tolk", first_name="Tolk",
                                            last_name="digital",
                                            email="videolank@digitaltolk.se")


def add(client, visit, **fields):
    data = {"kind": "relative", "first_name": "Margareta", "last_name": "Ek",
            "personnummer": "", "mobile": "070-174 06 08", "email": "", "channel": "sms"}
    return client.post(reverse("visits:participant-add", args=[visit.pk]), data | fields,
                       headers=HTMX)


def link_from(content: str) -> str:
    return re.search(r'id="new-link-\d+" type="text" readonly value="([^"]+)"', content)[1]


def test_the_editor_opens_in_place(client, visit):  # G1
    response = client.get(reverse("visits:participants", args=[visit.pk]), {"redigera": 1},
                          headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="participants"')  # only the section
    assert ">Lägg till och skicka länk</button>" in content  # by SMS, unless changed


def test_adding_a_relative_sends_the_link_and_shows_it_once(client, visit,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = add(client, visit)  # G4
    content = response.content.decode()
    assert response.status_code == 200
    assert "Margareta Ek" in content and "Kopiera inbjudningslänk" in content
    url = link_from(content)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert link_resolve(token).full_name == "Margareta Ek"
    sms = OutboxMessage.objects.get()
    assert sms.recipient == "+46701740608" and url in body_to_send(sms)
    assert url not in sms.body


def test_bjud_in_tolk_fills_in_the_agency_preset(client, visit, tolk):  # G3
    content = client.get(reverse("visits:participants", args=[visit.pk]),
                         {"redigera": 1, "tolk": tolk.pk}, headers=HTMX).content.decode()
    assert 'value="Tolk"' in content and 'value="digital"' in content
    assert 'value="videolank@digitaltolk.se"' in content
    assert re.search(r'value="none"[^>]*checked', content)  # the link is copied, not sent
    assert not re.search(r'value="sms"[^>]*checked', content)
    # The button says what happens: the link is shown to copy, not sent.
    assert ">Lägg till och visa länken</button>" in content
    assert ">Lägg till och skicka länk</button>" not in content
    response = add(client, visit, kind="interpreter", first_name="Tolk", last_name="digital",
                   email="videolank@digitaltolk.se", mobile="", channel="none", agency=tolk.pk)
    assert "Kopiera inbjudningslänk" in response.content.decode()
    interpreter = Participant.objects.get()
    assert interpreter.agency == tolk and interpreter.kind == "interpreter"
    assert not OutboxMessage.objects.exists()  # the agency gets the copied link


def test_a_missing_address_is_explained_and_the_input_kept(client, visit):
    response = add(client, visit, mobile="")
    assert response.status_code == 422
    content = response.content.decode()
    assert "Ange ett mobilnummer" in content and 'value="Margareta"' in content
    assert not Participant.objects.exists()


def test_removing_asks_first_then_revokes_the_link_at_once(client, visit):  # G5
    token = link_from(add(client, visit).content.decode()).rstrip("/").rsplit("/", 1)[-1]
    participant = Participant.objects.get()
    where = reverse("visits:participant-remove", args=[visit.pk, participant.pk])
    asked = client.post(where, headers=HTMX).content.decode()
    assert "Vill du ta bort Margareta Ek?" in asked and 'role="alertdialog"' in asked
    assert 'name="bekraftat" value="ja"' in asked and "hx-confirm" not in asked
    assert f'data-confirm-opener="participant-remove-{participant.pk}"' in asked
    participant.refresh_from_db()
    assert participant.is_active and link_resolve(token) == participant  # nothing yet
    response = client.post(where, CONFIRMED, headers=HTMX)
    assert "är borttagen" in response.content.decode()
    with pytest.raises(LinkProblem):
        link_resolve(token)


def test_the_patient_cannot_be_removed_only_the_visit_cancelled(client, visit):  # G1, G2
    patient = participant_add(visit=visit, kind=Participant.Kind.PATIENT,
                              first_name=visit.patient.first_name,
                              last_name=visit.patient.last_name,
                              personnummer=visit.patient.personnummer, channel="none")[0]
    add(client, visit)
    editor = client.get(reverse("visits:participants", args=[visit.pk]) + "?redigera=1",
                        headers=HTMX).content.decode()
    assert editor.count(">Ta bort<") == 1  # the relative's, not the patient's
    response = client.post(reverse("visits:participant-remove", args=[visit.pk, patient.pk]),
                           CONFIRMED, headers=HTMX)
    assert response.status_code == 409
    assert "Patienten och ombudet kan inte tas bort" in response.content.decode()
    patient.refresh_from_db()
    assert patient.is_active and patient.links.filter(revoked_at__isnull=True).exists()


def test_ny_lank_asks_first_then_replaces_the_old_link(client, visit):  # G3, G5
    old = link_from(add(client, visit).content.decode()).rstrip("/").rsplit("/", 1)[-1]
    participant = Participant.objects.get()
    where = reverse("visits:participant-link", args=[visit.pk, participant.pk])
    asked = client.post(where, headers=HTMX).content.decode()
    assert "Vill du göra en ny länk för Margareta Ek?" in asked and 'id="new-link-' not in asked
    assert link_resolve(old) == participant and participant.links.count() == 1
    content = client.post(where, CONFIRMED, headers=HTMX).content.decode()
    new = link_from(content).rstrip("/").rsplit("/", 1)[-1]
    assert new != old and link_resolve(new) == participant
    with pytest.raises(LinkProblem):
        link_resolve(old)


def copy_link(client, visit, participant):
    return client.post(reverse("visits:participant-copy-link", args=[visit.pk, participant.pk]),
                       headers=HTMX)


def test_visa_lank_shows_the_same_link_again_and_it_keeps_working(client, visit,
                                                                   tolk):  # G3, G5, S1
    given = link_from(add(client, visit, kind="interpreter", first_name="Tolk",
                          last_name="digital", mobile="", email="videolank@digitaltolk.se",
                          channel="none", agency=tolk.pk).content.decode())
    interpreter = Participant.objects.get()
    editor = client.get(reverse("visits:participants", args=[visit.pk])).content.decode()
    assert reverse("visits:participant-copy-link", args=[visit.pk, interpreter.pk]) in editor
    response = copy_link(client, visit, interpreter)
    content = response.content.decode()
    assert response.status_code == 200 and "Samma länk som tidigare" in content
    assert link_from(content) == given  # the agency's link still holds
    assert link_resolve(given.rstrip("/").rsplit("/", 1)[-1]) == interpreter
    assert link_from(copy_link(client, visit, interpreter).content.decode()) == given
    assert interpreter.links.count() == 1 and not interpreter.links.filter(
        revoked_at__isnull=False).exists()
    seen = AccessLogEntry.objects.filter(object_type="guests.participant",
                                         object_id=str(interpreter.pk))
    assert seen.count() == 2 and {row.action for row in seen} == {"view"}
    assert {row.patient for row in seen} == {visit.patient}


def test_visa_lank_after_ny_lank_shows_the_new_one(client, visit):  # G5
    add(client, visit)
    participant = Participant.objects.get()
    new = link_from(client.post(reverse("visits:participant-link",
                                        args=[visit.pk, participant.pk]),
                                CONFIRMED, headers=HTMX).content.decode())
    assert link_from(copy_link(client, visit, participant).content.decode()) == new


def test_visa_lank_of_an_ended_visit_says_the_link_no_longer_holds(client, visit):  # G5
    add(client, visit)
    participant = Participant.objects.get()
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.FINISHED)
    response = copy_link(client, visit, participant)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Länken gäller inte längre" in content and 'id="new-link-' not in content


def test_participants_can_be_edited_while_the_meeting_is_live(client, visit):  # G1
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_LIVE)
    assert add(client, visit).status_code == 200
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Margareta Ek" in page and "Avsluta videomöte" in page


def test_no_one_is_added_to_a_finished_visit(client, visit):
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.FINISHED)
    response = add(client, visit)
    assert response.status_code == 422
    assert "avslutat eller avbokat" in response.content.decode()


def test_outsider_is_refused_the_editor(client, visit, outsider):  # S2
    client.force_login(outsider)
    assert client.get(reverse("visits:participants", args=[visit.pk]),
                      {"redigera": 1}).status_code == 403
    assert add(client, visit).status_code == 403
    assert not Participant.objects.exists()


def test_a_failed_invitation_shows_on_the_visit_page_with_skicka_igen(client, visit):  # N1
    add(client, visit)
    message = OutboxMessage.objects.get()
    assert message.visit == visit
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="failed", last_error="Sms-tjänsten gick inte att nå.")
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Meddelanden som inte kom fram" in page and "gick inte att nå" in page
    response = client.post(reverse("visits:message-resend", args=[visit.pk, message.pk]),
                           headers=HTMX)
    assert "Meddelandet skickas igen" in response.content.decode()
    message.refresh_from_db()
    assert message.status in {"pending", "sending", "sent"}


def test_a_failed_cancellation_notice_shows_on_the_cancelled_visit(client, visit):  # B7, N1
    add(client, visit)
    client.post(reverse("visits:transition", args=[visit.pk, "cancel"]), CONFIRMED)
    invitation, notice = OutboxMessage.objects.order_by("pk")
    assert "avbokat" in notice.body and notice.visit == visit
    OutboxMessage.objects.update(status="failed", last_error="Sms-tjänsten gick inte att nå.")
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Meddelanden som inte kom fram" in page
    # The notice can go again; the invitation's link is dead, so it cannot.
    resend = reverse("visits:message-resend", args=[visit.pk, notice.pk])
    assert resend in page
    assert reverse("visits:message-resend", args=[visit.pk, invitation.pk]) not in page
    assert "Meddelandet skickas igen" in client.post(resend, headers=HTMX).content.decode()


def test_an_outsider_cannot_resend(client, visit, outsider):
    add(client, visit)
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed")
    client.force_login(outsider)
    assert client.post(reverse("visits:message-resend", args=[visit.pk, message.pk])
                       ).status_code == 403


def test_an_outsider_cannot_remove_or_relink_a_participant(client, visit, outsider):  # S2
    add(client, visit)
    participant = Participant.objects.get()
    client.force_login(outsider)
    for name in ["visits:participant-remove", "visits:participant-link",
                 "visits:participant-copy-link"]:
        assert client.post(reverse(name, args=[visit.pk, participant.pk]), CONFIRMED
                           ).status_code == 403
    participant.refresh_from_db()
    assert participant.removed_at is None and participant.links.count() == 1


def test_avboka_tells_everyone_sent_a_link_and_stops_the_links(client, visit):  # B7, G5
    add(client, visit)  # SMS
    add(client, visit, first_name="Tolk", last_name="digital", mobile="", channel="none",
        kind="interpreter")
    invitation = OutboxMessage.objects.get()
    response = client.post(reverse("visits:transition", args=[visit.pk, "cancel"]),
                           CONFIRMED, headers=HTMX)
    assert "Avbokad" in response.content.decode()
    notices = OutboxMessage.objects.exclude(pk=invitation.pk)
    assert [(m.channel, m.recipient) for m in notices] == [("sms", "+46701740608")]
    assert "avbokat" in notices.get().body
    assert not InvitationLink.objects.filter(revoked_at__isnull=True).exists()
    with pytest.raises(PermanentSendError):
        body_to_send(invitation)  # an invitation not yet sent stays unsent


def test_slapps_in_direkt_is_on_for_a_colleague_and_off_for_others(client, visit):  # R2
    content = client.get(reverse("visits:participants", args=[visit.pk]), {"redigera": 1},
                         headers=HTMX).content.decode()
    box = re.search(r'<input type="checkbox" name="admit_directly"[^>]*>', content)[0]
    assert 'data-admit-directly-for="colleague"' in box and "checked" not in box
    assert '<label for="id_admit_directly">Släpps in direkt</label>' in content
    assert ParticipantForm(initial={"kind": "colleague"})["admit_directly"].value() is True
    assert ParticipantForm.for_interpreter(InterpreterAgency(
        first_name="Tolk", last_name="digital", email="t@example.se"))["admit_directly"] \
        .value() is False

    add(client, visit, kind="colleague", first_name="Sara", admit_directly="on")
    add(client, visit, first_name="Olle")  # the box left off
    assert {p.first_name: p.admit_directly for p in Participant.objects.all()} == {
        "Sara": True, "Olle": False}
