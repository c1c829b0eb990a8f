from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guests.models import InterpreterAgency, Participant
from patients.fields import GuardianChoiceField, PersonnummerField, SwedishMobileField
from videovisit.forms import DateField, TimeField


class ParticipantForm(forms.Form):
    """Redigera deltagare: one person to invite (DESIGN G2–G4)."""

    # The patient and the agent come from the booking (or "Nytt besök"), with the
    # identity the e-ID must match; here only guests are invited (G2, G4).
    GUEST_KINDS = [Participant.Kind.INTERPRETER, Participant.Kind.RELATIVE,
                   Participant.Kind.COLLEAGUE, Participant.Kind.GUEST]

    kind = forms.ChoiceField(label=_("Roll"), initial=Participant.Kind.RELATIVE,
                             choices=[(k.value, k.label) for k in GUEST_KINDS])
    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    mobile = SwedishMobileField(label=_("Mobilnummer"), required=False)
    email = forms.EmailField(label=_("E-post"), required=False)
    channel = forms.ChoiceField(label=_("Skicka länken med"), choices=Participant.Channel.choices,
                                initial=Participant.Channel.SMS, widget=forms.RadioSelect)
    admit_directly = forms.BooleanField(
        label=_("Släpps in direkt"), required=False,
        help_text=_("Går direkt in i ett pågående videomöte i stället för att vänta i "
                    "väntrummet tills vårdpersonalen släpper in."),
        # The roles it is on for unless staff say otherwise; static/js/app.js follows
        # the role chosen in the form.
        widget=forms.CheckboxInput(attrs={"data-admit-directly-for": Participant.Kind.COLLEAGUE}))
    agency = forms.ModelChoiceField(queryset=InterpreterAgency.objects.all(), required=False,
                                    widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "admit_directly" not in self.initial:
            # A colleague goes straight in unless staff say otherwise; others wait (R2).
            kind = self.initial.get("kind", self.fields["kind"].initial)
            self.initial = {**self.initial, "admit_directly": kind == Participant.Kind.COLLEAGUE}

    @classmethod
    def for_interpreter(cls, agency: InterpreterAgency) -> ParticipantForm:
        """"Bjud in tolk": the agency's preset; the link is copied to the agency (G3)."""
        return cls(initial={"kind": Participant.Kind.INTERPRETER, "first_name": agency.first_name,
                            "last_name": agency.last_name, "email": agency.email,
                            "channel": Participant.Channel.NONE, "agency": agency.pk})


class BaseGuestFormSet(forms.BaseFormSet):
    """Nytt besök's guests, each a ParticipantForm (DESIGN V4, G2)."""

    def get_form_kwargs(self, index: int) -> dict:
        # A row staff added and left empty is theirs to fill in or remove: it is
        # not passed over in silence as an unused extra form would be.
        return {"empty_permitted": False}


GuestFormSet = forms.formset_factory(ParticipantForm, formset=BaseGuestFormSet, extra=0)


class VisitTimeForm(forms.Form):
    """A visit's date, start and length, as staff choose them (DESIGN V4, B7)."""

    LENGTHS = (15, 20, 30, 45, 60, 90)

    day = DateField(label=_("Datum"))
    start = TimeField(label=_("Starttid"))
    minutes = forms.TypedChoiceField(label=_("Längd"), coerce=int, initial=30, choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A visit of another length (a booking's slot, say) keeps its own as a choice.
        lengths = sorted({*self.LENGTHS, int(self.initial.get("minutes") or 30)})
        self.fields["minutes"].choices = [(m, _("%(m)s minuter") % {"m": m}) for m in lengths]

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The chosen start and end, in the unit's time zone."""
        data = self.cleaned_data
        starts_at = datetime.datetime.combine(data["day"], data["start"],
                                              tzinfo=timezone.get_current_timezone())
        return starts_at, starts_at + datetime.timedelta(minutes=data["minutes"])


class RescheduleForm(VisitTimeForm):
    """Flytta: the visit's new time (DESIGN B7)."""

    @classmethod
    def for_visit(cls, visit, *args) -> RescheduleForm:
        start = timezone.localtime(visit.starts_at)
        minutes = round((visit.ends_at - visit.starts_at).total_seconds() / 60)
        return cls(*args, initial={"day": start.date(), "start": start.strftime("%H:%M"),
                                   "minutes": minutes})


class NewVisitForm(VisitTimeForm):
    """A visit created in the console, without timebook integration (DESIGN V4)."""

    field_order = ["personnummer", "day", "start", "minutes", "reason", "staff",
                   "primary_contact", "agent"]

    personnummer = PersonnummerField(label=_("Patientens personnummer"))
    reason = forms.CharField(label=_("Sökorsak"), max_length=100, required=False)
    staff = forms.ModelMultipleChoiceField(label=_("Sjukvårdspersonal"), required=False,
                                           queryset=None, widget=forms.CheckboxSelectMultiple)
    primary_contact = GuardianChoiceField(label=_("Primär kontakt"), queryset=None,
                                          required=False)
    agent = GuardianChoiceField(label=_("Ombud (får länken)"), queryset=None, required=False)

    def __init__(self, *args, user, guardians=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from accounts.models import User
        from patients.models import Guardian

        self.fields["staff"].queryset = (
            User.objects.filter(care_units__in=user.care_units.all(), is_active=True,
                                role=User.Role.CLINICIAN).exclude(pk=user.pk).distinct())
        # Given only for a child under 13 on the visit's date (P5, P7).
        self.asks_for_agent = guardians is not None
        guardians = guardians if guardians is not None else Guardian.objects.none()
        self.fields["primary_contact"].queryset = guardians
        self.fields["agent"].queryset = guardians


class ContactsForm(forms.Form):
    """Byt ombud / primär kontakt: the child's guardians, for this visit (DESIGN P5)."""

    primary_contact = GuardianChoiceField(label=_("Primär kontakt"), queryset=None,
                                          empty_label=None)
    agent = GuardianChoiceField(
        label=_("Ombud (får länken)"), queryset=None, empty_label=None,
        help_text=_("Ett nytt ombud får en ny länk som sms och legitimerar sig med BankID. "
                    "Det tidigare ombudets länk slutar gälla."))

    def __init__(self, *args, visit, **kwargs) -> None:
        kwargs.setdefault("initial", {"primary_contact": visit.primary_contact_id,
                                      "agent": visit.agent_id})
        super().__init__(*args, **kwargs)
        guardians = visit.patient.guardians.all()
        self.fields["primary_contact"].queryset = guardians
        self.fields["agent"].queryset = guardians
