"""The booking wizard's steps: one form per screen, validated against what came before."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CareUnit, User
from bookings.models import (
    Booking,
    ContactType,
    KallelseTemplate,
    ScheduleActivity,
    VisitReason,
)
from bookings.services import (
    TEAMS_MEETING_URL,
    free_slots,
    kallelse_template_for,
    schedule_activity_for,
)
from integrations.registry import RegistryError
from patients.access import find_patient_for_staff, unit_of_access
from patients.fields import GuardianChoiceField, PersonnummerField, SwedishMobileField
from patients.models import Guardian, Patient
from patients.services import child_contacts_clean, registry_lookup
from videovisit.forms import DateField

KIND_CHOICES = [
    (Booking.Kind.SINGLE, _("Videobesök – en behandlare")),
    (Booking.Kind.TEAM_OWNER, _("Teambesök – flera behandlare")),
    (Booking.Kind.RELATIVE_CALL, _("Anhörigsamtal (ASAM) – utan patienten")),
    (Booking.Kind.GROUP, _("Gruppbesök – flera patienter via Teams")),
]
VIDEO_KINDS = {Booking.Kind.SINGLE, Booking.Kind.TEAM_OWNER}


@dataclass
class WizardContext:
    """What earlier steps decided, as objects, for the forms of later steps."""

    user: User
    # For the access log: every look-up of a patient by number is a logged search (S1).
    request: HttpRequest | None = None
    patient: Patient | None = None
    kind: str = ""
    owner: User | None = None
    participants: list[User] = field(default_factory=list)
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None

    def find_patient(self, digits: str) -> Patient | None:
        """The patient with this number at the user's care units, the search logged."""
        if self.request is None:
            return Patient.objects.for_staff(self.user).filter(personnummer=digits).first()
        return find_patient_for_staff(self.request, digits)

    @property
    def care_unit(self) -> CareUnit | None:
        return booking_unit(user=self.user, owner=self.owner, patient=self.patient)

    @property
    def day(self) -> datetime.date | None:
        return timezone.localdate(self.starts_at) if self.starts_at else None

    @property
    def is_child(self) -> bool:
        """Under 13 on the visit's date (P5, P7)."""
        return bool(self.patient and self.day and self.patient.is_child_on(self.day))


def booking_unit(*, user: User, owner: User | None,
                 patient: Patient | None = None) -> CareUnit | None:
    """The unit a booking is made at, by the one rule (patients.access.unit_of_access):
    its contact details for the patient and guardians are the ones the booking uses
    (P4, P5), the same the user reads on the patient page."""
    return unit_of_access(user, patient, owner=owner)


def clinicians_for(user: User):
    return (User.objects.filter(care_units__in=user.care_units.all(), is_active=True,
                                role=User.Role.CLINICIAN)
            .distinct().order_by("last_name", "first_name"))


class ClinicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class ClinicianMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class StepForm(forms.Form):
    def __init__(self, data=None, *, ctx: WizardContext, initial=None) -> None:
        super().__init__(data, initial=initial)
        self.ctx = ctx


class PatientStep(StepForm):
    """The patients issue's search: one full personnummer (P1)."""

    personnummer = PersonnummerField(
        help_text=_("Hela numret, 10 eller 12 siffror. Samordningsnummer går också bra."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                      "spellcheck": "false"}))

    def clean_personnummer(self):
        number = self.cleaned_data["personnummer"]
        patient = self.ctx.find_patient(number.digits)
        if patient is None:
            raise ValidationError(_("Patienten finns inte på din vårdenhet. Sök patienten under "
                                    "Sök patient och klicka på Skapa patient först."),
                                  code="unknown")
        self.patient = patient
        return number

    def values(self) -> dict:
        return {"patient": self.patient.pk}


class KindStep(StepForm):
    kind = forms.ChoiceField(label=_("Typ av besök"), choices=KIND_CHOICES,
                             widget=forms.RadioSelect)

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        # Age only grows: refused today means refused on any later date too (P6).
        refusal = self.ctx.patient.video_refusal_on(timezone.localdate())
        if kind in VIDEO_KINDS and refusal:
            raise ValidationError(refusal, code="no_eid")
        return kind

    def values(self) -> dict:
        return {"kind": self.cleaned_data["kind"]}


class TimeStep(StepForm):
    """The owner (and for a team the participating clinicians), a day, and a free time."""

    owner = ClinicianChoiceField(label=_("Behandlare"), queryset=User.objects.none(),
                                 empty_label=_("Välj behandlare"))
    participants = ClinicianMultipleChoiceField(
        label=_("Medverkande behandlare (Medverkan teambesök)"), required=False,
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    day = DateField(label=_("Dag"))
    slot = forms.ChoiceField(label=_("Ledig tid"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        clinicians = clinicians_for(self.ctx.user)
        self.fields["owner"].queryset = clinicians
        self.fields["participants"].queryset = clinicians
        if self.ctx.kind != Booking.Kind.TEAM_OWNER:
            del self.fields["participants"]
        if not self.is_bound and "owner" not in self.initial and self.ctx.user.is_clinician:
            self.initial["owner"] = self.ctx.user.pk
        self.initial.setdefault("day", timezone.localdate().isoformat())
        self.slots: list = []
        self.slots_shown = False
        owner, day, participants = self._lookup_inputs()
        if owner and day:
            self.slots = free_slots(owner=owner, day=day, participants=participants)
            self.slots_shown = True
        self.fields["slot"].choices = [
            (slot_value(start, end), f"{timezone.localtime(start):%H:%M}–"
                                     f"{timezone.localtime(end):%H:%M}")
            for start, end in self.slots]

    def _lookup_inputs(self):
        source = self.data if self.is_bound else self.initial
        try:
            owner = self.fields["owner"].clean(source.get("owner"))
            day = self.fields["day"].clean(source.get("day"))
            participants = list(self.fields["participants"].clean(
                source.getlist("participants") if hasattr(source, "getlist")
                else source.get("participants", []))) if "participants" in self.fields else []
        except ValidationError:
            return None, None, []
        return owner, day, participants

    def clean(self):
        data = super().clean()
        owner, participants = data.get("owner"), data.get("participants") or []
        if self.ctx.kind == Booking.Kind.TEAM_OWNER:
            if not participants:
                self.add_error("participants", _("Välj minst en medverkande behandlare."))
            elif owner in participants:
                self.add_error("participants", _("Den som äger teambesöket kan inte också "
                                                 "vara medverkande."))
        day = data.get("day")
        if day and day < timezone.localdate():
            self.add_error("day", _("Dagen har redan varit."))
        if not data.get("slot") and not self.errors:
            self.add_error("slot", _("Välj en ledig tid.") if self.slots else
                           _("Det finns inga lediga tider den dagen. Välj en annan dag eller "
                             "behandlare."))
        if data.get("slot"):
            start, _end = parse_slot(data["slot"])
            visit_day = timezone.localdate(start)
            patient = self.ctx.patient
            refusal = patient.video_refusal_on(visit_day)
            if self.ctx.kind in VIDEO_KINDS and refusal:  # P6 on the visit's date (P7)
                self.add_error(None, refusal)
            elif self.ctx.kind in VIDEO_KINDS and not patient.is_child_on(visit_day) \
                    and not patient.contact_at(booking_unit(
                        user=self.ctx.user, owner=owner, patient=patient)).mobile:  # P4
                self.add_error(None, _("Patienten saknar mobilnummer och kan inte få länken "
                                       "till videobesöket. Lägg till det på patientsidan."))
        return data

    def values(self) -> dict:
        start, end = parse_slot(self.cleaned_data["slot"])
        return {"owner": self.cleaned_data["owner"].pk,
                "participants": [u.pk for u in self.cleaned_data.get("participants") or []],
                "starts_at": start.isoformat(), "ends_at": end.isoformat()}


def slot_value(start: datetime.datetime, end: datetime.datetime) -> str:
    return f"{timezone.localtime(start).isoformat()}|{timezone.localtime(end).isoformat()}"


def parse_slot(value: str) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = value.split("|")
    return datetime.datetime.fromisoformat(start), datetime.datetime.fromisoformat(end)


class ChildContactsStep(StepForm):
    """Per visit of a child under 13: primary contact and exactly one agent (P5)."""

    primary_contact = GuardianChoiceField(
        label=_("Primär kontakt"), queryset=Guardian.objects.none(),
        empty_label=_("Välj vårdnadshavare"),
        error_messages={"required": _("Välj en av barnets vårdnadshavare som primär kontakt.")})
    agent = GuardianChoiceField(
        label=_("Ombud"), queryset=Guardian.objects.none(), empty_label=_("Välj vårdnadshavare"),
        error_messages={"required": _("Välj en (1) av barnets vårdnadshavare som ombud.")},
        help_text=_("Ett (1) ombud. Ombudet får länken som sms och legitimerar sig med BankID. "
                    "En annan vårdnadshavare kan bjudas in som gäst senare."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        guardians = self.ctx.patient.guardians.all()
        self.fields["primary_contact"].queryset = guardians
        self.fields["agent"].queryset = guardians

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                child_contacts_clean(patient=self.ctx.patient, care_unit=self.ctx.care_unit,
                                     primary_contact=data.get("primary_contact"),
                                     agent=data.get("agent"))
            except ValidationError as invalid:
                for name, messages in invalid.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
        return data

    def values(self) -> dict:
        return {"primary_contact": self.cleaned_data["primary_contact"].pk,
                "agent": self.cleaned_data["agent"].pk}


class RelativeStep(StepForm):
    """Anhörigsamtal: the relative from the registry, and how the link goes (B4)."""

    personnummer = PersonnummerField(label=_("Anhörigs personnummer"),
                                     widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                   "inputmode": "numeric"}))
    channel = forms.ChoiceField(label=_("Länken skickas med"), widget=forms.RadioSelect,
                                choices=[("sms", _("Sms")), ("email", _("E-post"))])
    mobile = SwedishMobileField(label=_("Anhörigs mobilnummer"))
    email = forms.EmailField(label=_("Anhörigs e-post"), required=False)

    def clean_personnummer(self):
        number = self.cleaned_data["personnummer"]
        if number.digits == self.ctx.patient.personnummer:
            raise ValidationError(_("Anhörigsamtalet bokas på den anhöriges personnummer, "
                                    "inte på patientens."))
        try:
            person = registry_lookup(number=number)
        except RegistryError:
            raise ValidationError(_("Personuppgiftstjänsten svarar inte just nu. Försök igen "
                                    "om en stund.")) from None
        if person is None:
            raise ValidationError(_("Personnumret finns inte i personuppgiftstjänsten. "
                                    "Kontrollera numret."))
        self.person = person
        return number

    def clean(self):
        data = super().clean()
        if data.get("channel") == "email" and not data.get("email"):
            self.add_error("email", _("Ange en e-postadress: länken skickas med e-post."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {"relative": data["personnummer"].digits,
                "relative_name": f"{self.person.first_name} {self.person.last_name}",
                "relative_channel": data["channel"], "relative_mobile": data["mobile"],
                "relative_email": data["email"]}


class GroupStep(StepForm):
    """Gruppbesök: the other patients and the Teams meeting link (B5)."""

    others = forms.CharField(
        label=_("Övriga patienters personnummer"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ett personnummer per rad. Patienterna måste finnas på din vårdenhet."))
    meeting_url = forms.CharField(
        label=_("Länk till Teams-mötet"), max_length=500,
        help_text=_("Lägg in gruppbesöket i Teamskalendern och klistra in mötets länk här."))

    def clean_others(self) -> list[int]:
        from patients import personnummer as pnr

        found, errors = [], []
        for line in self.cleaned_data["others"].splitlines():
            if not line.strip():
                continue
            try:
                number = pnr.parse(line.strip())
            except ValidationError as invalid:
                errors.append(f"{line.strip()}: {' '.join(invalid.messages)}")
                continue
            patient = self.ctx.find_patient(number.digits)
            if patient is None:
                errors.append(_("%(number)s: patienten finns inte på din vårdenhet.")
                              % {"number": number})
            elif patient.pk != self.ctx.patient.pk and patient.pk not in found:
                found.append(patient.pk)
        if errors:
            raise ValidationError(errors)
        if not found:
            raise ValidationError(_("Ange minst en patient till."))
        return found

    def clean_meeting_url(self) -> str:
        url = self.cleaned_data["meeting_url"].strip()
        if not TEAMS_MEETING_URL.match(url):
            raise ValidationError(_("Klistra in länken till Teams-mötet. Den börjar med "
                                    "https://teams.microsoft.com/l/meetup-join/"))
        return url

    def values(self) -> dict:
        return {"group_patients": self.cleaned_data["others"],
                "meeting_url": self.cleaned_data["meeting_url"]}


class DetailsStep(StepForm):
    """Kontakttyp (DiVL preset), schemaaktivitet, besöksorsak, Visa webb."""

    contact_type = forms.ModelChoiceField(label=_("Kontakttyp"),
                                          queryset=ContactType.objects.all(), empty_label=None)
    schedule_activity = forms.ModelChoiceField(label=_("Schemaaktivitet"),
                                               queryset=ScheduleActivity.objects.all(),
                                               empty_label=None)
    participant_activity = forms.ModelChoiceField(
        label=_("Schemaaktivitet för medverkande"), empty_label=None,
        queryset=ScheduleActivity.objects.filter(published_on_1177=False),
        help_text=_("Medverkande behandlares tider publiceras aldrig på 1177.se."))
    visit_reason = forms.ModelChoiceField(label=_("Besöksorsak"),
                                          queryset=VisitReason.objects.all(), empty_label=None)
    visa_webb = forms.BooleanField(label=_("Visa webb (visas för patienten på 1177.se)"),
                                   required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ctx = self.ctx
        divl = ContactType.objects.filter(is_video=True).order_by("code").first()
        relative_call = ctx.kind == Booking.Kind.RELATIVE_CALL
        if ctx.kind in (*VIDEO_KINDS, Booking.Kind.RELATIVE_CALL):
            self.fields["contact_type"].queryset = ContactType.objects.filter(is_video=True)
        self.initial.setdefault("contact_type", divl.pk if divl else None)
        if relative_call:
            # B4: ASAM, unpublished, never Visa webb.
            self.fields["visit_reason"].queryset = VisitReason.objects.filter(
                is_relative_call=True)
            self.fields["schedule_activity"].queryset = ScheduleActivity.objects.filter(
                published_on_1177=False).exclude(name="Medverkan")
            del self.fields["visa_webb"]
        else:
            self.fields["visit_reason"].queryset = VisitReason.objects.filter(
                is_relative_call=False)
            self.initial.setdefault("visa_webb", True)
            planned = (schedule_activity_for(clinician=ctx.owner, start=ctx.starts_at)
                       if ctx.owner and ctx.starts_at else None)
            if planned:
                self.initial.setdefault("schedule_activity", planned.pk)
        if ctx.kind != Booking.Kind.TEAM_OWNER:
            del self.fields["participant_activity"]
        else:
            medverkan = ScheduleActivity.objects.filter(name="Medverkan").first()
            if medverkan:
                self.initial.setdefault("participant_activity", medverkan.pk)

    def clean(self):
        data = super().clean()
        activity = data.get("schedule_activity")
        if self.ctx.kind == Booking.Kind.RELATIVE_CALL and activity \
                and activity.published_on_1177:
            self.add_error("schedule_activity", _("Välj en schemaaktivitet som inte "
                                                  "publiceras på 1177.se."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {"contact_type": data["contact_type"].pk,
                "schedule_activity": data["schedule_activity"].pk,
                "participant_activity": (data["participant_activity"].pk
                                         if data.get("participant_activity") else None),
                "visit_reason": data["visit_reason"].pk,
                "visa_webb": bool(data.get("visa_webb"))}


class KallelseStep(StepForm):
    """B2: the template, preselected by age on the visit's date, and Skriv ut or Spara."""

    template = forms.ModelChoiceField(label=_("Kallelse"), widget=forms.RadioSelect,
                                      queryset=KallelseTemplate.objects.filter(is_active=True),
                                      empty_label=None)
    delivery = forms.ChoiceField(
        label=_("Skriv ut eller spara"), widget=forms.RadioSelect,
        choices=[(Booking.Delivery.PRINT, _("Skriv ut – kallelsen skickas med post")),
                 (Booking.Delivery.SAVE, _("Spara – kallelsen går till patientens inkorg på "
                                           "1177.se"))],
        error_messages={"required": _("Välj Skriv ut eller Spara. En kallelse måste alltid "
                                      "skickas.")})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.ctx.patient and self.ctx.day:
            preset = kallelse_template_for(patient=self.ctx.patient, day=self.ctx.day)
            if preset:
                self.initial.setdefault("template", preset.pk)

    def values(self) -> dict:
        return {"kallelse_template": self.cleaned_data["template"].pk,
                "kallelse_delivery": self.cleaned_data["delivery"]}



class RescheduleForm(forms.Form):
    """Flytta: another free time of the same clinicians (B7)."""

    day = DateField(label=_("Ny dag"))
    slot = forms.ChoiceField(label=_("Ledig tid"), widget=forms.RadioSelect,
                             error_messages={"required": _("Välj en ledig tid.")})

    def __init__(self, data=None, *, booking: Booking) -> None:
        super().__init__(data, initial={"day": timezone.localdate(booking.starts_at)})
        self.booking = booking
        try:
            day = self.fields["day"].clean(self.data.get("day") if self.is_bound
                                           else self.initial["day"])
        except ValidationError:
            day = None
        self.slots = []
        if day:
            participants = [p.clinician for p in booking.participations.active()]
            self.slots = free_slots(owner=booking.clinician, day=day, participants=participants)
        self.fields["slot"].choices = [
            (slot_value(start, end), f"{timezone.localtime(start):%H:%M}–"
                                     f"{timezone.localtime(end):%H:%M}")
            for start, end in self.slots]
