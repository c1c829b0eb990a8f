"""Byt ombud / primär kontakt on a child's visit page (P5, G4, G5)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from bookings.services import booking_create
from guests.models import Participant
from guests.services import LinkProblem, link_resolve, link_url, token_for
from integrations.delivery import body_to_send
from integrations.models import OutboxMessage
from tests.patients.factories import GuardianFactory
from tests.visits.conftest import JOHAN_MOBILE, KARIN_MOBILE
from tests.visits.factories import VideoVisitFactory, at
from visits.models import VideoVisit
from visits.services import visit_change_contacts, visit_create

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def created(clinician, care_unit, child, karin, johan):
    """Lo's visit tomorrow, made with Karin as primary contact and agent; her link."""
    starts = at(timezone.localdate() + datetime.timedelta(days=1), 10)
    visit, [(agent, token)] = visit_create(
        patient=child, care_unit=care_unit, owner=clinician, starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=30), reason="Uppföljning", staff=[],
        primary_contact=karin, agent=karin)
    return visit, agent, token


@pytest.fixture
def visit(created):
    return created[0]


@pytest.fixture
def karins_token(created):
    return created[2]


def change(visit, user, *, primary_contact, agent):
    return visit_change_contacts(visit=visit, primary_contact=primary_contact, agent=agent,
                                 user=user)


def post(client, visit, *, htmx=True, confirmed=True, **fields):
    """Save the choice; `confirmed`: with the answer to the question a new agent asks."""
    data = fields | ({"bekraftat": "ja"} if confirmed else {})
    return client.post(reverse("visits:contacts", args=[visit.pk]), data,
                       headers=HTMX if htmx else {})


def agents(visit) -> list[Participant]:
    return list(visit.participants.active().filter(kind=Participant.Kind.AGENT))


def unchanged(visit, karin, karins_token) -> bool:
    """The visit still has Karin as both, her link opens, and nothing went to anyone new."""
    visit.refresh_from_db()
    return ((visit.primary_contact, visit.agent) == (karin, karin)
            and [a.personnummer for a in agents(visit)] == [karin.personnummer]
            and link_resolve(karins_token).personnummer == karin.personnummer
            and list(OutboxMessage.objects.values_list("recipient", flat=True))
            == [KARIN_MOBILE])


# The service


def test_a_new_agent_gets_a_link_of_their_own_and_the_old_one_stops(
        visit, clinician, karin, johan, karins_token):  # P5, G4, G5
    karins = agents(visit)[0]
    result = change(visit, clinician, primary_contact=karin, agent=johan)

    assert result.changed == ("agent",)
    visit.refresh_from_db()
    assert (visit.primary_contact, visit.agent) == (karin, johan)
    with pytest.raises(LinkProblem) as problem:
        link_resolve(karins_token)
    assert problem.value.code == "revoked"
    karins.refresh_from_db()
    assert karins.removed_at is not None
    # Johan identifies with his own personnummer: the e-ID must match him (G4).
    [new] = agents(visit)
    assert new == result.agent_participant
    assert (new.personnummer, new.mobile, new.channel) == (johan.personnummer, JOHAN_MOBILE,
                                                           "sms")
    # His invitation goes through the outbox, as when the visit was made (N1, G6).
    sms = OutboxMessage.objects.get(recipient=JOHAN_MOBILE)
    link = new.links.get(revoked_at__isnull=True)
    assert sms.visit == visit and sms.link_ref == str(link.pk)
    assert link_url(token_for(link)) in body_to_send(sms)
    assert johan.personnummer not in sms.body and "Uppföljning" not in sms.body
    assert link_resolve(token_for(link)) == new


def test_the_replaced_agent_is_told_once_that_their_link_stopped(
        visit, clinician, karin, johan, karins_token):  # P5, G6, N1
    change(visit, clinician, primary_contact=karin, agent=johan)
    change(visit, clinician, primary_contact=karin, agent=johan)  # the same again
    invitation, notice = OutboxMessage.objects.filter(recipient=KARIN_MOBILE).order_by("pk")
    assert notice.channel == "sms" and notice.visit == visit
    assert "gäller inte längre" in notice.body and "Kontakta mottagningen" in notice.body
    for secret in [karin.personnummer, visit.patient.personnummer, "Uppföljning",
                   visit.care_unit.name, "Berg"]:
        assert secret not in notice.body, secret


def test_a_guardian_without_a_mobile_is_refused_and_nothing_changes(
        visit, clinician, karin, johan, karins_token):  # P5
    johan.contacts.update(mobile="")
    with pytest.raises(ValidationError) as refused:
        change(visit, clinician, primary_contact=johan, agent=johan)
    assert "Ombudet saknar mobilnummer" in refused.value.message_dict["agent"][0]
    assert unchanged(visit, karin, karins_token)


def test_a_stored_number_that_is_no_mobile_is_refused_too(visit, clinician, karin, johan,
                                                          karins_token):  # P5
    johan.contacts.update(mobile="090-123456")  # a landline, typed in admin
    with pytest.raises(ValidationError) as refused:
        change(visit, clinician, primary_contact=karin, agent=johan)
    assert "inte ett giltigt svenskt mobilnummer" in refused.value.message_dict["agent"][0]
    assert unchanged(visit, karin, karins_token)


def test_someone_not_the_childs_guardian_is_refused(visit, clinician, karin,
                                                    karins_token):  # P5
    stranger = GuardianFactory(personnummer="195811029882", first_name="Margareta",
                               mobile="+46701740610")  # another child's guardian
    with pytest.raises(ValidationError) as refused:
        change(visit, clinician, primary_contact=stranger, agent=stranger)
    assert set(refused.value.message_dict) == {"primary_contact", "agent"}
    assert unchanged(visit, karin, karins_token)


@pytest.mark.parametrize("state", [VideoVisit.State.FINISHED, VideoVisit.State.CANCELLED])
def test_a_finished_or_cancelled_visit_keeps_its_agent(visit, clinician, karin, johan,
                                                      karins_token, state):
    VideoVisit.objects.filter(pk=visit.pk).update(state=state)
    with pytest.raises(ValidationError) as refused:
        change(visit, clinician, primary_contact=johan, agent=johan)
    assert "avslutat eller avbokat" in refused.value.messages[0]
    visit.refresh_from_db()
    assert (visit.primary_contact, visit.agent) == (karin, karin)
    assert not OutboxMessage.objects.filter(recipient=JOHAN_MOBILE).exists()


def test_only_a_new_primary_contact_sends_nothing(visit, clinician, karin, johan,
                                                  karins_token):  # P5
    result = change(visit, clinician, primary_contact=johan, agent=karin)
    assert result.changed == ("primary_contact",) and result.agent_participant is None
    visit.refresh_from_db()
    assert (visit.primary_contact, visit.agent) == (johan, karin)
    assert link_resolve(karins_token).personnummer == karin.personnummer
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [KARIN_MOBILE]
    assert visit.participants.count() == 1


def test_the_same_agent_again_changes_and_sends_nothing(visit, clinician, karin,
                                                        karins_token):
    result = change(visit, clinician, primary_contact=karin, agent=karin)
    assert result.changed == ()
    assert unchanged(visit, karin, karins_token)
    assert visit.participants.count() == 1


def test_a_booked_visits_booking_follows(ref, clinician, care_unit, child, karin, johan):  # P5
    starts = at(timezone.localdate() + datetime.timedelta(days=2), 9)
    booking = booking_create(
        kind="single", care_unit=care_unit, owner=clinician, patient=child,
        starts_at=starts, ends_at=starts + datetime.timedelta(minutes=30),
        contact_type=ref.divl, schedule_activity=ref.video_activity,
        visit_reason=ref.aterbesok, kallelse_template=ref.child, kallelse_delivery="print",
        created_by=clinician, primary_contact=karin, agent=karin)
    result = change(booking.video_visit, clinician, primary_contact=johan, agent=johan)
    assert result.booking == booking
    booking.refresh_from_db()
    assert (booking.primary_contact, booking.agent) == (johan, johan)
    assert [a.personnummer for a in agents(booking.video_visit)] == [johan.personnummer]


def test_an_adults_visit_has_no_guardians_to_choose(client, alice, care_unit, karin):
    visit = VideoVisitFactory(owner=alice, care_unit=care_unit)  # Eva, an adult
    with pytest.raises(ValidationError):
        change(visit, alice, primary_contact=karin, agent=karin)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Byt ombud" not in page and "contacts-editor" not in page
    url = reverse("visits:contacts", args=[visit.pk])
    assert client.get(url, {"redigera": 1}).status_code == 404
    assert client.post(url, {"primary_contact": karin.pk, "agent": karin.pk}).status_code == 404


# The visit page


def test_the_editor_opens_in_place_with_the_guardians(client, alice, visit, karin, johan):
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Byt ombud / primär kontakt" in page
    content = client.get(reverse("visits:contacts", args=[visit.pk]), {"redigera": 1},
                         headers=HTMX).content.decode()
    assert content.lstrip().startswith('<div id="contacts-editor"')  # only the editor
    assert "Karin Berg" in content and "Johan Berg" in content
    assert f'<option value="{karin.pk}" selected>' in content
    closed = client.get(reverse("visits:contacts", args=[visit.pk]), headers=HTMX)
    assert "<form" not in closed.content.decode()


def test_staff_change_the_agent_and_the_page_updates(client, alice, visit, karin, johan,
                                                     karins_token):  # P5, G5, R1
    response = post(client, visit, primary_contact=karin.pk, agent=johan.pk)
    assert response.status_code == 200
    assert "Ombudet är bytt" in response.content.decode()
    assert f"visit-changed-{visit.pk}" in response["HX-Trigger"]
    with pytest.raises(LinkProblem):
        link_resolve(karins_token)
    assert OutboxMessage.objects.filter(recipient=JOHAN_MOBILE).count() == 1
    participants = client.get(reverse("visits:participants", args=[visit.pk]),
                              headers=HTMX).content.decode()
    assert "Johan Berg" in participants and "Karin Berg" not in participants


def test_a_new_agent_is_asked_about_first_and_nothing_changes_until_confirmed(
        client, alice, visit, karin, johan, karins_token):  # P5, G5
    response = post(client, visit, confirmed=False, primary_contact=karin.pk, agent=johan.pk)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Vill du byta ombud till Johan Berg?" in content
    assert "Länken som Karin Berg har slutar gälla direkt" in content
    # The answer carries the choice; the form stays below the question.
    assert f'name="agent" value="{johan.pk}"' in content
    assert 'data-confirm-opener="contacts-save"' in content and 'id="contacts-save"' in content
    assert unchanged(visit, karin, karins_token)
    # Without JavaScript, on the whole page.
    page = post(client, visit, htmx=False, confirmed=False, primary_contact=karin.pk,
                agent=johan.pk).content.decode()
    assert "<html" in page and "Vill du byta ombud till Johan Berg?" in page
    assert unchanged(visit, karin, karins_token)
    assert "Ombudet är bytt" in post(client, visit, primary_contact=karin.pk,
                                     agent=johan.pk).content.decode()


def test_a_new_primary_contact_alone_is_not_asked_about(client, alice, visit, karin, johan):
    response = post(client, visit, confirmed=False, primary_contact=johan.pk, agent=karin.pk)
    assert "Primär kontakt är ändrad" in response.content.decode()


def test_the_change_is_in_the_access_log(client, alice, visit, karin, johan):  # S1
    post(client, visit, primary_contact=karin.pk, agent=johan.pk)
    new = agents(visit)[0]
    rows = AccessLogEntry.objects.filter(user=alice, patient=visit.patient)
    assert rows.filter(action="update", object_type="visits.videovisit",
                       object_id=str(visit.pk)).exists()
    assert rows.filter(action="create", object_type="guests.participant",
                       object_id=str(new.pk)).exists()


def test_it_works_without_javascript(client, alice, visit, karin, johan):
    url = reverse("visits:contacts", args=[visit.pk])
    page = client.get(url, {"redigera": 1}).content.decode()
    assert "<html" in page and 'id="contacts-heading"' in page
    response = post(client, visit, htmx=False, primary_contact=johan.pk, agent=johan.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Ombudet är bytt" in page and "Primär kontakt är ändrad" in page
    facts = page[page.index("Primär kontakt"):page.index("Ansvarig")]
    assert "Johan Berg, 070-174 06 07" in facts and "Karin" not in facts
    assert client.get(url).status_code == 302  # "Avbryt" goes back to the visit


def test_a_guardian_without_a_mobile_is_refused_with_the_reason(client, alice, visit, karin,
                                                                johan, karins_token):  # P5
    johan.contacts.update(mobile="")
    response = post(client, visit, primary_contact=karin.pk, agent=johan.pk)
    assert response.status_code == 422
    content = response.content.decode()
    assert "Ombudet saknar mobilnummer. Lägg till det under Relationer" in content
    assert f'<option value="{johan.pk}" selected>' in content  # the choice is kept
    assert unchanged(visit, karin, karins_token)


def test_a_pk_that_is_not_a_guardian_of_the_child_is_refused(client, alice, visit, karin,
                                                             karins_token):  # P5
    stranger = GuardianFactory(personnummer="195811029882", mobile="+46701740610")
    response = post(client, visit, primary_contact=karin.pk, agent=stranger.pk)
    assert response.status_code == 422
    assert "field--error" in response.content.decode()
    assert unchanged(visit, karin, karins_token)


def test_a_finished_visit_offers_no_change_and_refuses_one(client, alice, visit, karin, johan,
                                                           karins_token):
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.FINISHED)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Byt ombud" not in page
    editor = client.get(reverse("visits:contacts", args=[visit.pk]), {"redigera": 1},
                        headers=HTMX)
    assert editor.status_code == 409 and "<form" not in editor.content.decode()
    response = post(client, visit, primary_contact=johan.pk, agent=johan.pk)
    assert response.status_code == 422
    assert "avslutat eller avbokat" in response.content.decode()
    visit.refresh_from_db()
    assert (visit.primary_contact, visit.agent) == (karin, karin)
    assert not OutboxMessage.objects.filter(recipient=JOHAN_MOBILE).exists()


def test_only_a_new_primary_contact_is_said_and_nothing_sent(client, alice, visit, karin,
                                                             johan, karins_token):  # P5
    response = post(client, visit, primary_contact=johan.pk, agent=karin.pk)
    content = response.content.decode()
    assert "Primär kontakt är ändrad" in content and "Ombudet är bytt" not in content
    visit.refresh_from_db()
    assert visit.primary_contact == johan
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [KARIN_MOBILE]
    assert link_resolve(karins_token).personnummer == karin.personnummer


def test_outsider_is_refused_the_editor_and_the_change(client, visit, outsider, karin, johan,
                                                       karins_token):  # S2
    client.force_login(outsider)
    url = reverse("visits:contacts", args=[visit.pk])
    assert client.get(url, {"redigera": 1}).status_code == 403
    assert post(client, visit, primary_contact=johan.pk, agent=johan.pk).status_code == 403
    assert unchanged(visit, karin, karins_token)
    assert AccessLogEntry.objects.filter(user=outsider, outcome="denied").count() == 2
