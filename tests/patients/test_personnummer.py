"""P1, P2: full numbers only, normalised to 12 digits, each mistake named."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from personnummer import personnummer as lib

from patients.personnummer import InvalidPersonnummer, parse


def with_check_digit(first_nine_of_ten: str) -> str:
    """The one valid check digit, found through the library's own validation."""
    for digit in "0123456789":
        if lib.valid(first_nine_of_ten + digit):
            return first_nine_of_ten + digit
    raise AssertionError("no check digit validates " + first_nine_of_ten)


@st.composite
def numbers(draw, *, samordning: bool = False):
    """Valid 12-digit numbers of people born 1900–2025 (day + 60 for samordningsnummer)."""
    born = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2025, 12, 31)))
    serial = draw(st.integers(1, 999))
    day = born.day + (60 if samordning else 0)
    ten = with_check_digit(f"{born:%y%m}{day:02d}{serial:03d}")
    return f"{born.year // 100}{ten}", born


def spellings(digits: str, born: datetime.date, today: datetime.date) -> list[str]:
    """Every way P1 lets staff type this number."""
    short_sep = "+" if today.year - born.year >= 100 else "-"
    long_forms = [digits, f"{digits[:8]}-{digits[8:]}"]
    # Ten digits are ambiguous about the century; only where the separator says
    # it (or the person is under 100) do they name the same person.
    short = [f"{digits[2:8]}{short_sep}{digits[8:]}"]
    if short_sep == "-":
        short.append(digits[2:])
    return [*long_forms, *short, f"  {digits[:8]}-{digits[8:]} "]


@given(numbers() | numbers(samordning=True))
def test_every_valid_number_round_trips_through_all_accepted_spellings(case):  # P1, P2
    digits, born = case
    today = datetime.date.today()
    if today.year - born.year == 100 and (today.month, today.day) < (born.month, born.day):
        return  # turning 100 this year: the separator depends on the day, skip the edge
    for spelling in spellings(digits, born, today):
        number = parse(spelling)
        assert number.digits == digits, spelling
        assert str(number) == f"{digits[:8]}-{digits[8:]}"
        assert number.birth_date == born


@given(numbers() | numbers(samordning=True), st.integers(0, 11), st.integers(1, 9))
def test_any_single_changed_digit_is_rejected(case, position, shift):  # P1
    digits, _born = case
    changed = digits[:position] + str((int(digits[position]) + shift) % 10) + digits[position + 1:]
    if position < 2:
        return  # the century is not covered by the check digit; a different person
    with pytest.raises(InvalidPersonnummer):
        parse(changed)


@pytest.mark.parametrize("raw", ["", "8503129", "850312-98", "19850312-98201", "abc",
                                 "8503 12 9820", "850312--9820", "*"])
def test_a_partial_or_malformed_number_asks_for_the_full_number(raw):  # P1
    with pytest.raises(InvalidPersonnummer) as error:
        parse(raw)
    assert error.value.code == "length"
    assert "10 eller 12 siffror" in error.value.messages[0]


@pytest.mark.parametrize("raw", ["851312-9820", "850230-9820", "19850332-9820"])
def test_an_impossible_date_says_so(raw):  # P1
    with pytest.raises(InvalidPersonnummer) as error:
        parse(raw)
    assert error.value.code == "date"
    assert "datum som inte finns" in error.value.messages[0]


def test_a_wrong_check_digit_says_so():  # P1
    with pytest.raises(InvalidPersonnummer) as error:
        parse("850312-9821")
    assert error.value.code == "check_digit"
    assert "Kontrollsiffran" in error.value.messages[0]


def test_plus_marks_a_person_of_100_or_more():  # P1
    assert parse("121212+1212").digits == "191212121212"
    assert parse("121212-1212").digits == "201212121212"


def test_a_samordningsnummer_is_recognised():  # P1
    number = parse("900774-9907")
    assert number.is_samordningsnummer
    assert number.birth_date == datetime.date(1990, 7, 14)
