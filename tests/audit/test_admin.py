"""Log review in admin: read-only, per patient and per user, CSV, and the report (S1)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from tests.accounts.factories import UserFactory
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:audit_accesslogentry_changelist"
ALICE_OWN = "198503129820"
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=x"


@pytest.fixture
def reviewer(client):
    user = UserFactory(username="granskare", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def log(client, clinician, colleague_same_unit, care_unit):
    """alice opens her own record, bob a protected identity, bob an ordinary patient."""
    clinician.personnummer = ALICE_OWN
    clinician.save()
    own = PatientFactory(personnummer=ALICE_OWN, first_name="Alice", last_name="Lund",
                         care_units=[care_unit])
    protected = PatientFactory(first_name="Alex", last_name="Sandberg",
                               protected_identity=True, care_units=[care_unit])
    ordinary = PatientFactory(first_name="=Eva", last_name="Lindqvist", care_units=[care_unit])
    for user, patient in [(clinician, own), (colleague_same_unit, protected),
                          (colleague_same_unit, ordinary)]:
        client.force_login(user)
        assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    client.logout()
    return {"own": own, "protected": protected, "ordinary": ordinary}


def listed(client, **params) -> list[AccessLogEntry]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_log_is_read_only_in_admin(client, log, reviewer):  # S1
    entry = AccessLogEntry.objects.first()
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert reverse("admin:audit_accesslogentry_add") not in page
    assert "delete_selected" not in page
    assert client.get(reverse("admin:audit_accesslogentry_add")).status_code == 403
    change = client.get(reverse("admin:audit_accesslogentry_change", args=[entry.pk]))
    assert change.status_code == 200
    assert 'type="submit"' not in change.content.decode().split('id="content-main"')[1]
    assert client.post(reverse("admin:audit_accesslogentry_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403
    assert AccessLogEntry.objects.count() == 3


def test_filtered_per_patient_and_per_user(client, log, reviewer, colleague_same_unit):  # S1
    per_patient = listed(client, patient__id__exact=log["protected"].pk)
    assert [e.patient for e in per_patient] == [log["protected"]]
    per_user = listed(client, user__id__exact=colleague_same_unit.pk)
    assert {e.patient for e in per_user} == {log["protected"], log["ordinary"]}
    # a number typed in the search box finds that person's rows
    assert [e.patient for e in listed(client, q=ALICE_OWN)] == [log["own"]]


def test_the_report_flags_own_records_and_protected_identities(client, log, reviewer):  # S1
    assert [e.patient for e in listed(client, granska="egen")] == [log["own"]]
    assert [e.patient for e in listed(client, granska="skyddad")] == [log["protected"]]
    assert {e.patient for e in listed(client, granska="alla")} == {log["own"],
                                                                   log["protected"]}


def test_csv_export_for_log_review(client, log, reviewer):  # S1
    ids = list(AccessLogEntry.objects.values_list("pk", flat=True))
    response = client.post(reverse(CHANGELIST), {"action": "export_csv",
                                                 "_selected_action": ids})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Tidpunkt", "Användare", "HSA-id", "Åtgärd", "Utfall",
                          "Personnummer"]
    assert len(body) == 3
    own = next(r for r in body if r[1] == "alice")
    assert own[5] == "19850312-9820" and own[8] == "Ja"
    # a cell a spreadsheet would run as a formula is defused
    assert any(r[6] == "'=Eva Lindqvist" for r in body)
    # and the export itself is in the log
    assert AccessLogEntry.objects.filter(action="export", user=reviewer).count() == 1


def test_patients_seen_in_admin_are_in_the_log_like_anywhere_else(client, reviewer,
                                                                  care_unit):  # S1
    from patients.models import Guardian

    eva = PatientFactory(first_name="Eva", last_name="Lindqvist", care_units=[care_unit])
    child = PatientFactory(personnummer="201507092380", first_name="Elsa",
                           last_name="Lindqvist", care_units=[care_unit])
    guardian = Guardian.objects.create(child=child, personnummer="198503129820",
                                       first_name="Eva", last_name="Lindqvist")

    assert client.get(reverse("admin:patients_patient_changelist")).status_code == 200
    listed_rows = AccessLogEntry.objects.filter(user=reviewer, action="search")
    assert {row.patient for row in listed_rows} == {eva, child}

    assert client.get(reverse("admin:patients_patient_change", args=[eva.pk])).status_code == 200
    opened = AccessLogEntry.objects.filter(user=reviewer, action="view").get()
    assert (opened.patient, opened.personnummer) == (eva, eva.personnummer)

    page = reverse("admin:patients_guardian_change", args=[guardian.pk])
    assert client.get(page).status_code == 200
    assert AccessLogEntry.objects.filter(user=reviewer, action="view", patient=child,
                                         object_type="patients.guardian").exists()
    response = client.post(page, {"has_eid": "on", "contacts-TOTAL_FORMS": "1",
                                  "contacts-INITIAL_FORMS": "0",
                                  "contacts-0-care_unit": care_unit.pk,
                                  "contacts-0-mobile": "+46701740605", "contacts-0-email": ""})
    assert response.status_code == 302, getattr(response, "context", None) and \
        response.context["adminform"].form.errors
    assert AccessLogEntry.objects.filter(user=reviewer, action="update", patient=child).exists()
    # The unit's own contact details, with who changed them (as on the patient page).
    contact = guardian.contact_at(care_unit)
    assert (contact.mobile, contact.updated_by) == ("+46701740605", reviewer)


def test_a_visit_its_guests_and_its_messages_in_admin_are_logged_on_its_patient(
        client, reviewer, care_unit, django_capture_on_commit_callbacks):  # S1
    from guests.models import Participant
    from guests.services import participant_add
    from integrations.models import OutboxMessage
    from tests.visits.factories import VideoVisitFactory

    eva = PatientFactory(first_name="Eva", last_name="Lindqvist", care_units=[care_unit])
    visit = VideoVisitFactory(care_unit=care_unit, patient=eva)
    with django_capture_on_commit_callbacks(execute=True):
        guest, _token = participant_add(
            visit=visit, kind=Participant.Kind.RELATIVE, first_name="Margareta",
            last_name="Ek", channel=Participant.Channel.SMS, mobile="+46701740608")
    message = OutboxMessage.objects.get(visit=visit)

    for model, obj in [("visits_videovisit", visit), ("guests_participant", guest),
                       ("integrations_outboxmessage", message)]:
        assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{model}_change", args=[obj.pk])).status_code == 200
        rows = AccessLogEntry.objects.filter(user=reviewer, object_type=obj._meta.label_lower)
        assert sorted(rows.values_list("action", "patient")) == [("search", eva.pk),
                                                                ("view", eva.pk)], model


@pytest.fixture
def patients_everywhere(ref, clinician, care_unit, settings,
                        django_capture_on_commit_callbacks):
    """Eva's data in every place admin can show it: her booked video visit with its
    invitations, kallelse and a guest, her group visit's 1177 message, what the
    development inbox "sent", her room presence; Nils, in her group visit; and Lo, a
    child, with a guardian.

    Returns each patient with the strings that are hers on a page: name, personnummer,
    her guest's name and number.
    """
    from bookings.services import booking_create
    from guests.models import Participant
    from guests.services import participant_add
    from integrations.models import OutboxMessage
    from integrations.tasks import send_outbox_message
    from patients.models import Guardian
    from tests.bookings.conftest import at
    from visits.models import RoomPresence

    settings.EMAIL_BACKEND = "integrations.email.backends.DevInboxEmailBackend"
    eva = PatientFactory(personnummer=ALICE_OWN, first_name="Eva", last_name="Lindqvist",
                         care_units=[care_unit])
    nils = PatientFactory(first_name="Nils", last_name="Holmgren", care_units=[care_unit])
    lo = PatientFactory(personnummer="201706159835", first_name="Lo", last_name="Sandström",
                        has_eid=False, care_units=[care_unit])
    karin = Guardian.objects.create(child=lo, personnummer="198409219840", first_name="Karin",
                                    last_name="Sandström")
    karin.contacts.create(care_unit=care_unit, mobile="+46701740606")
    day = timezone.localdate() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=False):
        booking = booking_create(
            kind="single", care_unit=care_unit, owner=clinician, patient=eva,
            starts_at=at(day, 9), ends_at=at(day, 9, 30), contact_type=ref.divl,
            schedule_activity=ref.video_activity, visit_reason=ref.aterbesok,
            kallelse_template=ref.adult, kallelse_delivery="save", created_by=clinician)
        booking_create(kind="group", care_unit=care_unit, owner=clinician,
                       starts_at=at(day, 10), ends_at=at(day, 11), contact_type=ref.divl,
                       schedule_activity=ref.video_activity, created_by=clinician,
                       group_patients=[eva, nils], meeting_url=TEAMS)
        visit = booking.video_visit
        guest, _token = participant_add(
            visit=visit, kind=Participant.Kind.RELATIVE, first_name="Margareta",
            last_name="Ekholm", channel=Participant.Channel.EMAIL,
            email="margareta.ekholm@example.se")
    for message in OutboxMessage.objects.all():
        send_outbox_message(message.pk)
    assert set(OutboxMessage.objects.values_list("channel", "status")) == {
        ("sms", "sent"), ("email", "sent"), ("portal", "sent")}
    RoomPresence.objects.create(visit=visit, peer="p1", participant=guest,
                                name="Margareta Ekholm", role="Anhörig",
                                channel_name="c1", connection="k1")
    return {
        eva: ["Lindqvist", eva.personnummer, eva.personnummer_display, "Ekholm",
              "margareta.ekholm@example.se"],
        nils: ["Holmgren", nils.personnummer, nils.personnummer_display],
        lo: ["Sandström", lo.personnummer, lo.personnummer_display],
    }


def test_every_admin_page_that_shows_a_patients_data_writes_the_access_log(
        client, reviewer, patients_everywhere):  # S1
    """Walks every model in admin, its list and each of its objects' pages. Wherever a
    page shows something of a patient's, a row on that patient names the model."""
    from django.contrib import admin

    showing = set()
    for model in admin.site._registry:
        if model is AccessLogEntry:
            # Log review itself: what it shows is the log. Reading it is no look at a
            # record, and a row per row read would grow the log with every reading;
            # its export is logged (test_csv_export_for_log_review).
            continue
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages = [reverse(f"{name}_changelist")] + [
            reverse(f"{name}_change", args=[pk]) for pk in model.objects.values_list("pk",
                                                                                   flat=True)]
        for url in pages:
            last = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            for patient, marks in patients_everywhere.items():
                if any(mark in page for mark in marks):
                    showing.add(model._meta.label)
                    assert AccessLogEntry.objects.filter(
                        pk__gt=last or 0, user=reviewer, patient=patient,
                        object_type=model._meta.label_lower).exists(), \
                        f"{url} shows {patient} and writes no access-log row"
    # The walk saw the patients where they are, so it is no walk past empty pages.
    assert showing >= {"patients.Patient", "patients.Guardian", "visits.VideoVisit",
                       "visits.RoomPresence", "guests.Participant", "guests.InvitationLink",
                       "bookings.Booking", "integrations.OutboxMessage",
                       "integrations.DevInboxMessage"}, showing
