import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


# Dates and times as Swedish staff write them, whatever the browser's language: an
# <input type="date"> or "time" shows the browser's locale (MM/DD/YYYY and 12 h in an
# American browser), so these are text inputs with the format as placeholder, pattern
# and help text (tied to the input by Django's aria-describedby), and the server
# accepts that format and no other.
DATE_FORMAT, DATE_SHAPE = "%Y-%m-%d", re.compile(r"\d{4}-\d{2}-\d{2}")
TIME_FORMAT, TIME_SHAPE = "%H:%M", re.compile(r"\d{2}:\d{2}")


def formatted_attrs(shape: re.Pattern, placeholder: str, length: int,
                    attrs: dict | None) -> dict:
    return {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false",
            "pattern": shape.pattern, "placeholder": placeholder, "maxlength": length,
            "size": length, **(attrs or {})}


class DateInput(forms.DateInput):
    """ÅÅÅÅ-MM-DD in a text box (see above)."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(formatted_attrs(DATE_SHAPE, _("ÅÅÅÅ-MM-DD"), 10, attrs),
                         format=DATE_FORMAT)


class TimeInput(forms.TimeInput):
    """TT:MM on the 24-hour clock in a text box (see above)."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(formatted_attrs(TIME_SHAPE, _("TT:MM"), 5, attrs), format=TIME_FORMAT)


class DateField(forms.DateField):
    """A date written ÅÅÅÅ-MM-DD, and only so."""

    widget = DateInput
    default_error_messages = {
        "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-03-14."),
        "no_such_date": _("Det datumet finns inte. Kontrollera månad och dag."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", _("ÅÅÅÅ-MM-DD"))
        super().__init__(input_formats=[DATE_FORMAT], **kwargs)

    def to_python(self, value):
        check_shape(self, value, DATE_SHAPE, DATE_FORMAT, "no_such_date")
        return super().to_python(value)


class TimeField(forms.TimeField):
    """A time of day written TT:MM on the 24-hour clock, and only so."""

    widget = TimeInput
    default_error_messages = {
        "invalid": _("Skriv tiden som TT:MM, t.ex. 09:30 eller 14:00."),
        "no_such_time": _("Det klockslaget finns inte: timmar 00–23, minuter 00–59."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", _("TT:MM"))
        super().__init__(input_formats=[TIME_FORMAT], **kwargs)

    def to_python(self, value):
        check_shape(self, value, TIME_SHAPE, TIME_FORMAT, "no_such_time")
        return super().to_python(value)


def check_shape(field: forms.Field, value, shape: re.Pattern, format: str,
                impossible: str) -> None:
    """Refuse any other way of writing it (strptime alone takes 2026-3-4 and 9:5), and
    say apart a wrong format from a date or time that does not exist."""
    if not isinstance(value, str) or not value.strip():
        return
    if not shape.fullmatch(value.strip()):
        raise ValidationError(field.error_messages["invalid"], code="invalid")
    try:
        datetime.datetime.strptime(value.strip(), format)
    except ValueError:
        raise ValidationError(field.error_messages[impossible], code=impossible) from None
