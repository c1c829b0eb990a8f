"""Form fields for the identifiers staff type: personnummer and Swedish mobile numbers."""

from __future__ import annotations

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from patients import personnummer
from patients.personnummer import Personnummer


class PersonnummerField(forms.CharField):
    """A full personnummer or samordningsnummer; cleans to a Personnummer (P1)."""

    def __init__(self, **kwargs) -> None:
        # No max_length: its validator would run on the cleaned Personnummer, and
        # parse() already refuses every other length with a clear message.
        kwargs.setdefault("label", _("Personnummer"))
        kwargs.setdefault("error_messages", {"required": _("Ange ett personnummer.")})
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return super().widget_attrs(widget) | {"maxlength": "20"}

    def to_python(self, value: str | None) -> Personnummer | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return personnummer.parse(value)


class SwedishMobileField(forms.CharField):
    """A Swedish mobile number in any common spelling; cleans to E.164 (P4)."""

    default_error_messages = {
        "invalid": _("Ange ett giltigt svenskt mobilnummer, t.ex. 070-123 45 67."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 25)
        kwargs.setdefault("label", _("Mobilnummer"))
        super().__init__(**kwargs)

    def to_python(self, value: str | None) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        return normalise_mobile(value)


def normalise_mobile(raw: str) -> str:
    """E.164 form of a Swedish mobile number; ValidationError for anything else."""
    error = ValidationError(SwedishMobileField.default_error_messages["invalid"], code="invalid")
    try:
        number = phonenumbers.parse(raw, "SE")
    except phonenumbers.NumberParseException:
        raise error from None
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "SE"
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise error
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_mobile(e164: str) -> str:
    """A stored E.164 number the way Swedes write it: 070-123 45 67."""
    if not e164:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(e164, "SE"),
                                      phonenumbers.PhoneNumberFormat.NATIONAL)


class GuardianChoiceField(forms.ModelChoiceField):
    """A child's guardians by name; those P8 hides are numbered in the Relationer tab's
    order instead, so staff can tell them apart on the patient page."""

    def label_from_instance(self, obj) -> str:
        if not obj.is_hidden:
            return obj.full_name
        order = [guardian.pk for guardian in self.queryset]  # a child has one or two
        return _("Vårdnadshavare %(n)d (skyddad identitet)") % {"n": order.index(obj.pk) + 1}
