"""Demo data: one care unit, its staff and the routine's reference data.

Idempotent: a second run finds everything in place and changes nothing.
Refuses to run with DEBUG off, since the demo logins share one known password.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import CareUnit, User
from bookings.models import (
    ContactType,
    KallelseTemplate,
    ScheduleActivity,
    ScheduleBlock,
    VisitReason,
)
from guests.models import InterpreterAgency, Participant
from guests.services import DEFAULT_TEMPLATES, participant_add
from integrations.models import MessageTemplate
from integrations.registry.fixture import FixtureRegistry
from patients.models import Guardian, Patient
from patients.services import guardian_update_contact, patient_register
from visits.models import VideoVisit
from visits.services import link_holder

DEMO_PASSWORD = "videobesok-demo"

CARE_UNIT = {"hsa_id": "SE2321000222-VC01", "name": "Vårdcentralen Ålidhem",
             "phone": "+46907850000"}

STAFF = [
    {"username": "lakare", "first_name": "Maria", "last_name": "Lund", "title": "Läkare",
     "role": User.Role.CLINICIAN, "hsa_id": "SE2321000222-L001"},
    {"username": "psykolog", "first_name": "Erik", "last_name": "Sjöberg", "title": "Psykolog",
     "role": User.Role.CLINICIAN, "hsa_id": "SE2321000222-P001"},
    {"username": "bokning", "first_name": "Anna", "last_name": "Holmgren",
     "title": "Vårdadministratör", "role": User.Role.BOOKING, "hsa_id": "SE2321000222-B001"},
]

ADMIN = {"username": "admin", "first_name": "Admin", "last_name": "Demo",
         "title": "Systemförvaltare", "role": User.Role.BOOKING}

CONTACT_TYPES = [
    {"code": "DiVL", "name": "Videobesök", "is_video": True},
    {"code": "BES", "name": "Mottagningsbesök", "is_video": False},
    {"code": "TEL", "name": "Telefonkontakt", "is_video": False},
]

SCHEDULE_ACTIVITIES = [
    {"name": "Videobesök", "published_on_1177": True},
    {"name": "Medverkan", "published_on_1177": False},
    {"name": "Ej webbpublicerad tid", "published_on_1177": False},
]

VISIT_REASONS = [
    {"code": "ASAM", "name": "ASAM – Anhörigsamtal", "is_relative_call": True,
     "self_checkin_exempt": True},
    {"code": "NYB", "name": "Nybesök", "is_relative_call": False, "self_checkin_exempt": False},
    {"code": "ÅTB", "name": "Återbesök", "is_relative_call": False, "self_checkin_exempt": False},
]

KALLELSE_ADULT = """Du har fått en tid för videobesök.

Så här ansluter du
1. Du får ett sms med en länk till besöket. Öppna länken i din mobil, surfplatta eller dator en stund före utsatt tid.
2. Legitimera dig med BankID (e-legitimation). Det krävs för att du ska kunna delta.
3. Testa kamera, mikrofon och högtalare när sidan ber dig om det.
4. Vänta i väntrummet. Vårdpersonalen släpper in dig när besöket börjar.

Sitt gärna ostört, där du kan prata fritt. Kan du inte komma? Av- eller omboka senast dagen före genom att ringa mottagningen eller via 1177.se."""

KALLELSE_CHILD = """Barnet har fått en tid för videobesök.

Så här ansluter ni
1. Barnets ombud (den vårdnadshavare som angetts vid bokningen) får ett sms med en länk till besöket. Öppna länken en stund före utsatt tid.
2. Ombudet legitimerar sig med BankID (e-legitimation). Barnet behöver ingen egen legitimation.
3. Testa kamera, mikrofon och högtalare när sidan ber om det.
4. Vänta i väntrummet. Vårdpersonalen släpper in er när besöket börjar.

Vill en annan vårdnadshavare delta? Kontakta mottagningen, så bjuds hen in som gäst. Kan ni inte komma? Av- eller omboka senast dagen före genom att ringa mottagningen eller via 1177.se."""

KALLELSE_TEMPLATES = [
    {"name": "Videobesök – vuxen", "audience": KallelseTemplate.Audience.ADULT,
     "body": KALLELSE_ADULT},
    {"name": "Videobesök – barn", "audience": KallelseTemplate.Audience.CHILD,
     "body": KALLELSE_CHILD},
]

MESSAGE_TEMPLATES = [
    {"key": "gruppbesok-teams", "name": "Länk till gruppbesök via Teams",
     "channel": MessageTemplate.Channel.PORTAL,
     "subject": "Länk till ditt gruppbesök",
     "body": "Välkommen till gruppbesöket {{ start }}.\n\nAnslut via Microsoft Teams med "
             "den här länken: {{ meeting_url }}\n\nDu behöver inget Teams-konto; välj att "
             "ansluta i webbläsaren."},
]

# Registered demo patients and today's visits for the physician: (personnummer,
# mobile, start time, reason). Visits fall on the day seed_demo runs.
DEMO_PATIENTS = [
    ("198503129820", "+46701740605"),   # Eva Lindqvist, adult
    ("201706159835", ""),               # Lo Berg, under 13, two guardians
    ("197905279894", "+46701740607"),   # protected identity
]
# The child's guardians have mobile numbers, so either can be the agent who gets the link.
DEMO_GUARDIAN_MOBILES = {"198409219840": "+46701740608", "198301309855": "+46701740609"}
# (personnummer, minutes after the first visit, reason). The first starts at the next
# half hour after seed_demo runs, so that the invitations' links still open.
DEMO_VISITS = [
    ("198503129820", 0, "Återbesök"),
    ("201706159835", 60, "Nybesök"),
    ("197905279894", 120, "Återbesök"),
]
DEMO_VISIT_MINUTES = 30

MESSAGE_TEMPLATES += [
    {"key": key, "name": name, "channel": channel, "subject": DEFAULT_TEMPLATES[key][0],
     "body": DEFAULT_TEMPLATES[key][1]}
    for key, name, channel in [
        ("inbjudan-sms", "Inbjudan till videomöte (sms)", MessageTemplate.Channel.SMS),
        ("inbjudan-epost", "Inbjudan till videomöte (e-post)", MessageTemplate.Channel.EMAIL),
        ("avbokning-sms", "Videomöte avbokat (sms)", MessageTemplate.Channel.SMS),
        ("avbokning-epost", "Videomöte avbokat (e-post)", MessageTemplate.Channel.EMAIL),
        ("borttagen-sms", "Länken gäller inte längre (sms)", MessageTemplate.Channel.SMS),
        ("borttagen-epost", "Länken gäller inte längre (e-post)",
         MessageTemplate.Channel.EMAIL),
    ]
]

# The demo clinicians' working hours on weekdays, today and the coming two weeks:
# (username, start, end) in 30-minute video slots.
SCHEDULE_DAYS = 14
SCHEDULES = [
    ("lakare", datetime.time(8, 0), datetime.time(12, 0)),
    ("lakare", datetime.time(13, 0), datetime.time(16, 0)),
    ("psykolog", datetime.time(9, 0), datetime.time(12, 0)),
    ("psykolog", datetime.time(13, 0), datetime.time(15, 0)),
]

INTERPRETER_AGENCIES = [
    {"name": "Digital Tolk", "first_name": "Tolk", "last_name": "digital",
     "email": "videolank@digitaltolk.se"},
]


def demo_day_start(now: datetime.datetime) -> datetime.datetime:
    """The first demo visit: the next half hour, or late in the evening as late as
    lets the last one end before midnight."""
    start = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(
        minutes=30 if now.minute < 30 else 60)
    last_end = datetime.timedelta(minutes=DEMO_VISITS[-1][1] + DEMO_VISIT_MINUTES)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    return min(start, midnight - datetime.timedelta(minutes=30) - last_end)


class Command(BaseCommand):
    help = "Creates the demo care unit, staff logins and reference data (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo skapar inloggningar med ett känt lösenord och körs bara med DEBUG på."
            )
        unit, _ = CareUnit.objects.update_or_create(
            hsa_id=CARE_UNIT["hsa_id"],
            defaults={"name": CARE_UNIT["name"], "phone": CARE_UNIT["phone"]}
        )
        for fields in STAFF:
            self.ensure_user(fields, unit)
        self.ensure_user(ADMIN, unit, is_staff=True, is_superuser=True)

        for model, rows, key in [
            (ContactType, CONTACT_TYPES, "code"),
            (ScheduleActivity, SCHEDULE_ACTIVITIES, "name"),
            (VisitReason, VISIT_REASONS, "code"),
            (KallelseTemplate, KALLELSE_TEMPLATES, "name"),
            (MessageTemplate, MESSAGE_TEMPLATES, "key"),
            (InterpreterAgency, INTERPRETER_AGENCIES, "name"),
        ]:
            for row in rows:
                defaults = {k: v for k, v in row.items() if k != key}
                model.objects.update_or_create(**{key: row[key]}, defaults=defaults)

        self.ensure_patients_and_visits(unit)
        self.ensure_schedules(unit)

        self.stdout.write(f"Demoinloggningar (lösenord för alla: {DEMO_PASSWORD}):")
        for fields in [*STAFF, ADMIN]:
            self.stdout.write(f"  {fields['username']:<10} {fields['title']}")

    def ensure_user(self, fields: dict, unit: CareUnit, **flags: bool) -> User:
        user, created = User.objects.get_or_create(
            username=fields["username"],
            defaults={k: v for k, v in fields.items() if k != "username"} | flags,
        )
        if created:
            # Only on creation: setting it again would re-salt the hash and change the row.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.care_units.add(unit)
        return user

    def ensure_patients_and_visits(self, unit: CareUnit) -> None:
        physician = User.objects.get(username="lakare")
        registry = FixtureRegistry()
        for number, mobile in DEMO_PATIENTS:
            if not Patient.objects.filter(personnummer=number).exists():
                patient_register(person=registry.lookup(number), mobile=mobile, email="",
                                 user=physician)
        for guardian in Guardian.objects.filter(personnummer__in=DEMO_GUARDIAN_MOBILES,
                                                child__care_units=unit):
            contact = guardian.contact_at(unit)
            if not contact.mobile:
                guardian_update_contact(guardian=guardian, care_unit=unit, email=contact.email,
                                        mobile=DEMO_GUARDIAN_MOBILES[guardian.personnummer],
                                        user=physician)
        today = timezone.localdate()
        first = demo_day_start(timezone.localtime())
        for number, offset, reason in DEMO_VISITS:
            patient = Patient.objects.get(personnummer=number)
            if VideoVisit.objects.filter(patient=patient, owner=physician,
                                         starts_at__date=today).exists():
                continue
            starts_at = first + datetime.timedelta(minutes=offset)
            # A child's first guardian is the primary contact and the agent (P5).
            guardian = patient.guardians.order_by("personnummer").first() \
                if patient.is_child_on(today) else None
            visit = VideoVisit.objects.create(
                patient=patient, owner=physician, starts_at=starts_at, care_unit=unit,
                ends_at=starts_at + datetime.timedelta(minutes=DEMO_VISIT_MINUTES),
                reason=reason, primary_contact=guardian, agent=guardian)
            # The link goes out by SMS, to the development inbox (Inkorg).
            participant_add(visit=visit, channel=Participant.Channel.SMS, **link_holder(visit))

    def ensure_schedules(self, unit: CareUnit) -> None:
        """Bookable video times for the physician and the psychologist (Boka videobesök)."""
        activity = ScheduleActivity.objects.get(name="Videobesök")
        today = timezone.localdate()
        for offset in range(SCHEDULE_DAYS):
            day = today + datetime.timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for username, start, end in SCHEDULES:
                ScheduleBlock.objects.get_or_create(
                    clinician=User.objects.get(username=username), day=day, start_time=start,
                    defaults={"care_unit": unit, "activity": activity, "end_time": end,
                              "slot_minutes": 30},
                )
