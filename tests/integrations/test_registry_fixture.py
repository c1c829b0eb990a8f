import datetime

from personnummer import personnummer

from integrations.registry import get_registry
from integrations.registry.fixture import FixtureRegistry


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_demo_persons_have_valid_test_numbers_in_skatteverkets_series():
    for number, person in FixtureRegistry().persons.items():
        assert personnummer.valid(number), number
        assert 980 <= int(number[8:11]) <= 999, number
        assert person.birth_date == personnummer.parse(number).get_date()


def test_demo_persons_cover_the_routines_cases():
    persons = FixtureRegistry().persons.values()
    day = datetime.date(2026, 11, 26)
    by_age = [(age_on(p.birth_date, day), p) for p in persons]
    children = [p for age, p in by_age if age < 13]
    assert any(len(p.guardians) == 2 for p in children)
    teens = [p for age, p in by_age if 13 <= age < 18]
    assert {p.has_eid for p in teens} == {True, False}
    assert any(age >= 18 and p.has_eid for age, p in by_age)
    protected = [p for p in persons if p.protected_identity]
    assert protected and all(not p.address.street for p in protected)
    assert any(personnummer.parse(p.personnummer).is_coordination_number() for p in persons)


def test_guardians_come_with_their_names_from_their_own_records():
    registry = FixtureRegistry()
    child = registry.lookup("201706159835")
    assert [(g.first_name, g.last_name) for g in child.guardians] == [("Karin", "Berg"),
                                                                     ("Johan", "Berg")]
    for person in registry.persons.values():
        for guardian in person.guardians:
            assert registry.lookup(guardian.personnummer).first_name == guardian.first_name


def test_lookup_answers_none_for_an_unknown_person():
    assert get_registry().lookup("199001019802") is None
    child = get_registry().lookup("201706159835")
    assert (child.first_name, child.last_name) == ("Lo", "Berg")
