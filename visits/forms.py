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
