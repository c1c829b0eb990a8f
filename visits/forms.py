from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guests.models import InterpreterAgency, Participant
from patients.fields import PersonnummerField, SwedishMobileField


class ParticipantForm(forms.Form):
    """Redigera deltagare: one person to invite (DESIGN G2–G4)."""

    kind = forms.ChoiceField(label=_("Roll"), choices=Participant.Kind.choices,
                             initial=Participant.Kind.RELATIVE)
    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    personnummer = PersonnummerField(
        label=_("Personnummer (patient och ombud)"), required=False,
        help_text=_("Patient och ombud legitimerar sig med BankID mot detta nummer."))
    mobile = SwedishMobileField(label=_("Mobilnummer"), required=False)
    email = forms.EmailField(label=_("E-post"), required=False)
    channel = forms.ChoiceField(label=_("Skicka länken med"), choices=Participant.Channel.choices,
                                initial=Participant.Channel.SMS, widget=forms.RadioSelect)
    agency = forms.ModelChoiceField(queryset=InterpreterAgency.objects.all(), required=False,
                                    widget=forms.HiddenInput)

    @classmethod
    def for_interpreter(cls, agency: InterpreterAgency) -> ParticipantForm:
        """"Bjud in tolk": the agency's preset; the link is copied to the agency (G3)."""
        return cls(initial={"kind": Participant.Kind.INTERPRETER, "first_name": agency.first_name,
                            "last_name": agency.last_name, "email": agency.email,
                            "channel": Participant.Channel.NONE, "agency": agency.pk})


class NewVisitForm(forms.Form):
    """A visit created in the console, without timebook integration (DESIGN V4)."""

    personnummer = PersonnummerField(label=_("Patientens personnummer"))
    day = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Starttid"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.TypedChoiceField(label=_("Längd"), coerce=int, initial=30,
                                     choices=[(m, _("%(m)s minuter") % {"m": m})
                                              for m in (15, 20, 30, 45, 60, 90)])
    reason = forms.CharField(label=_("Sökorsak"), max_length=100, required=False)
    staff = forms.ModelMultipleChoiceField(label=_("Sjukvårdspersonal"), required=False,
                                           queryset=None, widget=forms.CheckboxSelectMultiple)
    primary_contact = forms.ModelChoiceField(label=_("Primär kontakt"), queryset=None,
                                             required=False)
    agent = forms.ModelChoiceField(label=_("Ombud (får länken)"), queryset=None,
                                   required=False)

    def __init__(self, *args, user, guardians=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from accounts.models import User
        from patients.models import Guardian

        self.fields["staff"].queryset = (
            User.objects.filter(care_units__in=user.care_units.all(), is_active=True,
                                role=User.Role.CLINICIAN).exclude(pk=user.pk).distinct())
        guardians = guardians if guardians is not None else Guardian.objects.none()
        self.fields["primary_contact"].queryset = guardians
        self.fields["agent"].queryset = guardians
        self.asks_for_agent = guardians.exists()
