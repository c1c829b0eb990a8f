from django import forms
from django.utils.translation import gettext_lazy as _

from patients.fields import PersonnummerField, SwedishMobileField


class SearchForm(forms.Form):
    personnummer = PersonnummerField(
        help_text=_("Hela numret, 10 eller 12 siffror. Samordningsnummer går också bra."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                      "autofocus": True, "spellcheck": "false"}),
    )


class ContactForm(forms.Form):
    """A patient's own contact details; whether the mobile is required depends on age (P4)."""

    mobile = SwedishMobileField(required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off",
                                                              "inputmode": "tel"}))
    email = forms.EmailField(label=_("E-post (frivillig)"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, mobile_required: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mobile_required = mobile_required
        if mobile_required:
            self.fields["mobile"].label = _("Mobilnummer")
            self.fields["mobile"].help_text = _("Krävs: patienten får länken till besöket "
                                                "som sms.")
        else:
            self.fields["mobile"].label = _("Mobilnummer (frivilligt)")

    def clean_mobile(self) -> str:
        mobile = self.cleaned_data["mobile"]
        if self.mobile_required and not mobile:
            raise forms.ValidationError(
                _("Mobilnummer måste anges: patienten får länken till videobesöket som sms."),
                code="required")
        return mobile


class CreatePatientForm(ContactForm):
    personnummer = PersonnummerField(widget=forms.HiddenInput)


class GuardianContactForm(forms.Form):
    mobile = SwedishMobileField(required=False,
                                widget=forms.TextInput(attrs={"inputmode": "tel"}))
    email = forms.EmailField(label=_("E-post"), required=False)
