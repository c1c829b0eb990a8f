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


# Every date a 12-digit number can be written with.
ANY_DATE = st.dates(datetime.date(1000, 1, 1), datetime.date(2999, 12, 31))
TODAYS = st.dates(datetime.date(1990, 1, 1), datetime.date(2150, 12, 31))


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def make_number(born: datetime.date, serial: int, *, samordning: bool) -> str:
    day = born.day + (60 if samordning else 0)
    ten = with_check_digit(f"{born:%y%m}{day:02d}{serial:03d}")
    return f"{born.year // 100}{ten}"


def with_luhn_digit(nine: str) -> str:
    """Nine digits and their Luhn check digit, whether or not they hold a real date."""
    total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(nine))
    return nine + str(-total % 10)


@st.composite
def numbers(draw, *, samordning: bool = False, born=None):
    """Valid 12-digit numbers (day + 60 for samordningsnummer) and their birth date;
    by default of people born 1900–2025."""
    born = draw(born or st.dates(datetime.date(1900, 1, 1), datetime.date(2025, 12, 31)))
    return make_number(born, draw(st.integers(1, 999)), samordning=samordning), born


@st.composite
def births_around(draw, today: datetime.date) -> datetime.date:
    """A birth date anywhere a number can name, or within days of today or of the
    earliest plausible birth date, where the rule changes."""
    near = st.integers(-3, 3).map(datetime.timedelta)
    return draw(ANY_DATE
                | near.map(lambda d: today + d)
                | near.map(lambda d: years_before(today, 130) + d)
                | near.map(lambda d: years_before(today, 100) + d))


def spellings(digits: str, born: datetime.date, today: datetime.date) -> list[str]:
    """Every way P1 lets staff type this number."""
    long_forms = [digits, f"{digits[:8]}-{digits[8:]}"]
    # Ten digits name the century through the separator: "+" from the 100th
    # birthday on, "-" (or none) before it.
    if age(born, today) >= 100:
        short = [f"{digits[2:8]}+{digits[8:]}"]
    else:
        short = [f"{digits[2:8]}-{digits[8:]}", digits[2:]]
    return [*long_forms, *short, f"  {digits[:8]}-{digits[8:]} "]


@given(numbers() | numbers(samordning=True))
def test_every_valid_number_round_trips_through_all_accepted_spellings(case):  # P1, P2
    digits, born = case
    today = datetime.date(2026, 12, 4)
    for spelling in spellings(digits, born, today):
        number = parse(spelling, today=today)
        assert number.digits == digits, spelling
        assert str(number) == f"{digits[:8]}-{digits[8:]}"
        assert number.birth_date == born


@given(st.data(), TODAYS, st.booleans(), st.integers(1, 999))
def test_a_birth_date_up_to_130_years_back_and_not_after_today_is_plausible(
        data, today, samordning, serial):  # P1
    born = data.draw(births_around(today).filter(
        lambda b: years_before(today, 130) <= b <= today))
    digits = make_number(born, serial, samordning=samordning)
    for spelling in spellings(digits, born, today):
        number = parse(spelling, today=today)
        assert (number.digits, number.birth_date) == (digits, born), spelling


@given(st.data(), TODAYS, st.booleans(), st.integers(1, 999))
def test_a_birth_date_in_the_future_is_refused_with_its_own_message(
        data, today, samordning, serial):  # P1
    born = data.draw(births_around(today).filter(lambda b: b > today))
    digits = make_number(born, serial, samordning=samordning)
    for spelling in [digits, f"{digits[:8]}-{digits[8:]}"]:
        with pytest.raises(InvalidPersonnummer) as error:
            parse(spelling, today=today)
        assert error.value.code == "future"
        assert error.value.messages == [
            "Födelsedatumet i personnumret ligger i framtiden. Kontrollera numret."]


@given(st.data(), TODAYS, st.booleans(), st.integers(1, 999))
def test_a_birth_date_more_than_130_years_back_is_refused_with_its_own_message(
        data, today, samordning, serial):  # P1
    born = data.draw(births_around(today).filter(lambda b: b < years_before(today, 130)))
    digits = make_number(born, serial, samordning=samordning)
    spelled = [digits, f"{digits[:8]}-{digits[8:]}"]
    if age(born, today) < 200:  # "+" reaches back two centuries
        spelled.append(f"{digits[2:8]}+{digits[8:]}")
    for spelling in spelled:
        with pytest.raises(InvalidPersonnummer) as error:
            parse(spelling, today=today)
        assert error.value.code == "too_old", spelling
        assert error.value.messages == ["Födelsedatumet i personnumret ligger mer än 130 år "
                                        "tillbaka i tiden. Kontrollera numret."]


@given(st.data(), st.sampled_from("-+"), st.integers(1, 999), TODAYS)
def test_a_10_digit_number_is_never_read_as_a_future_birth_date(data, sep, serial, today):
    # P1: the century is the one that makes the date a past one, "-" under 100 years.
    yymmdd = data.draw(st.text(alphabet="0123456789", min_size=6, max_size=6)
                       | births_around(today).map(lambda d: f"{d:%y%m%d}"))
    text = with_luhn_digit(f"{yymmdd}{serial:03d}")
    try:
        number = parse(f"{text[:6]}{sep}{text[6:]}", today=today)
    except InvalidPersonnummer as error:
        assert error.code in {"date", "too_old"}
    else:
        assert number.birth_date <= today
        assert (age(number.birth_date, today) >= 100) == (sep == "+")


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
    today = datetime.date(2026, 12, 4)
    assert parse("121212+1212", today=today).digits == "191212121212"
    assert parse("121212-1212", today=today).digits == "201212121212"


def test_someone_turning_100_later_this_year_is_still_written_with_a_dash():  # P1
    today = datetime.date(2026, 12, 4)
    assert parse("261224-1238", today=today).digits == "192612241238"
    assert parse("261203+1233", today=today).digits == "192612031233"


def test_the_year_1212_is_refused_as_more_than_130_years_back():  # P1
    with pytest.raises(InvalidPersonnummer) as error:
        parse("12121212-1212")
    assert error.value.code == "too_old"


def test_a_samordningsnummer_is_recognised():  # P1
    number = parse("900774-9907")
    assert number.is_samordningsnummer
    assert number.birth_date == datetime.date(1990, 7, 14)
