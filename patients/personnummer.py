"""Swedish personnummer and samordningsnummer (DESIGN P1, P2).

Parsing and the check digit are the `personnummer` library's; this module adds
the input rules staff work with (only full numbers, spaces around ignored), the
century of a 10-digit number, a birth date a living person can have, and tells
apart why a number was refused, so the message can say what to fix. Every number
staff or another system hands us goes through `parse`, so each rule holds at
every entry point.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from personnummer import personnummer as lib

# Only the shapes a full number is written in: 10 or 12 digits, with "-" or "+"
# before the last four. Anything shorter is a partial search, which P1 forbids.
SHAPE = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")

MESSAGES = {
    "length": _("Ange ett fullständigt personnummer: 10 eller 12 siffror, "
                "t.ex. ÅÅÅÅMMDD-NNNN."),
    "date": _("Personnumret innehåller ett datum som inte finns. Kontrollera födelsedatumet."),
    "check_digit": _("Kontrollsiffran stämmer inte. Kontrollera att alla siffror är rätt."),
    "future": _("Födelsedatumet i personnumret ligger i framtiden. Kontrollera numret."),
    "too_old": _("Födelsedatumet i personnumret ligger mer än 130 år tillbaka i tiden. "
                 "Kontrollera numret."),
}

# Nobody living was born longer ago than this; an older date is a typing mistake
# (e.g. 1212 for 2012) that would otherwise reach the registry and the records.
MAX_AGE_YEARS = 130


class InvalidPersonnummer(ValidationError):
    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES[code], code=code)


@dataclass(frozen=True, order=True)
class Personnummer:
    """A valid number, normalised to 12 digits (YYYYMMDDNNNN)."""

    digits: str

    def __str__(self) -> str:
        return format_pnr(self.digits)

    @property
    def is_samordningsnummer(self) -> bool:
        return lib.parse(self.digits).is_coordination_number()

    @property
    def birth_date(self) -> datetime.date:
        return lib.parse(self.digits).get_date()


def parse(raw: str, *, today: datetime.date | None = None) -> Personnummer:
    """The number staff typed, validated; raises InvalidPersonnummer saying what is wrong.

    `today` (the local date by default) decides the century of a 10-digit number
    and which birth dates are plausible.
    """
    today = today or timezone.localdate()
    text = (raw or "").strip()
    match = SHAPE.match(text)
    if not match:
        raise InvalidPersonnummer("length")
    date, separator, serial = match.groups()
    if len(date) == 6:
        date = _with_century(date, hundred_or_older=separator == "+", today=today)
    # With the century written out, "+" carries no meaning.
    text = date + serial
    try:
        number = lib.parse(text)
    except lib.PersonnummerException:
        raise InvalidPersonnummer(_why_invalid(text)) from None
    born = number.get_date()
    if born > today:
        raise InvalidPersonnummer("future")
    if born < _years_before(today, MAX_AGE_YEARS):
        raise InvalidPersonnummer("too_old")
    return Personnummer(number.format(long_format=True))


def _with_century(yymmdd: str, *, hundred_or_older: bool, today: datetime.date) -> str:
    """YYYYMMDD for a 10-digit number: "-" means born within the last 100 years, "+"
    100 years ago or more (P1). Decided on the day, not the year alone, so that
    someone turning 100 later this year still has "-"."""
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if day > 60:
        day -= 60  # samordningsnummer
    full_year = today.year - (today.year - year) % 100
    if (month, day) > (today.month, today.day) and full_year == today.year:
        full_year -= 100
    if hundred_or_older:
        full_year -= 100
    return f"{full_year:04d}{yymmdd[2:]}"


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, and that year has none
        return day.replace(year=day.year - years, day=28)


def _why_invalid(text: str) -> str:
    # The library reports a wrong check digit and an impossible date alike. If
    # some check digit makes the number valid, the date was fine and the check
    # digit was not.
    for digit in "0123456789":
        try:
            lib.parse(text[:-1] + digit)
        except lib.PersonnummerException:
            continue
        return "check_digit"
    return "date"


def format_pnr(digits: str) -> str:
    """A stored 12-digit number as staff read it: YYYYMMDD-NNNN."""
    return f"{digits[:8]}-{digits[8:]}"
