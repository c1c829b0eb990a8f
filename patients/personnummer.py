"""Swedish personnummer and samordningsnummer (DESIGN P1, P2).

Parsing and the check digit are the `personnummer` library's; this module adds
the input rules staff work with (only full numbers, spaces around ignored) and
tells apart why a number was refused, so the message can say what to fix.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
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
}


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


def parse(raw: str) -> Personnummer:
    """The number staff typed, validated; raises InvalidPersonnummer saying what is wrong."""
    text = (raw or "").strip()
    match = SHAPE.match(text)
    if not match:
        raise InvalidPersonnummer("length")
    if len(match.group(1)) == 8 and match.group(2) == "+":
        # With the century written out, "+" carries no meaning; read it as "-".
        text = match.group(1) + match.group(3)
    try:
        number = lib.parse(text)
    except lib.PersonnummerException:
        raise InvalidPersonnummer(_why_invalid(text)) from None
    return Personnummer(number.format(long_format=True))


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
