"""P4, P6, P7 on the Patient model; P5 for the per-visit choice of agent."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.models import age_on
from patients.services import child_contacts_clean, guardian_update_contact
from tests.patients.factories import GuardianFactory, PatientFactory

VISIT = datetime.date(2026, 12, 10)


def test_age_is_counted_on_the_given_day_turning_on_the_birthday():  # P7
    born = datetime.date(2013, 12, 10)
    assert age_on(born, datetime.date(2026, 12, 9)) == 12
    assert age_on(born, datetime.date(2026, 12, 10)) == 13


def test_a_child_who_turns_13_before_the_visit_is_no_longer_a_child_then():  # P7, P5
    patient = PatientFactory.build(personnummer="201312099813", has_eid=False)
    assert patient.is_child_on(datetime.date(2026, 12, 8))
    assert not patient.is_child_on(VISIT)


@pytest.mark.parametrize(("number", "has_eid", "needs_mobile"), [
    ("198503129820", True, True),    # adult
    ("198503129820", False, True),   # adult without e-ID still needs a number to be reached
    ("201104089865", True, True),    # 15 with e-ID
    ("201108199876", False, False),  # 15 without e-ID: cannot take part at all
    ("201706159835", False, False),  # under 13: the agent gets the link
])
def test_own_mobile_is_required_for_adults_and_13_to_17_with_eid(number, has_eid,
                                                                  needs_mobile):  # P4
    patient = PatientFactory.build(personnummer=number, has_eid=has_eid)
    assert patient.needs_own_mobile_on(VISIT) is needs_mobile


def test_13_or_older_without_eid_is_refused_video_with_an_explanation():  # P6
    teen = PatientFactory.build(personnummer="201108199876", has_eid=False)
    refusal = teen.video_refusal_on(VISIT)
    assert "e-legitimation" in refusal and "13 år" in refusal
    assert PatientFactory.build(personnummer="201104089865", has_eid=True
                                ).video_refusal_on(VISIT) is None
    assert PatientFactory.build(personnummer="201706159835", has_eid=False
                                ).video_refusal_on(VISIT) is None


def test_lists_never_show_a_protected_identitys_name():  # P8
    assert PatientFactory.build(protected_identity=True).list_name == "Skyddad identitet"
    assert PatientFactory.build().list_name == "Eva Lindqvist"


@pytest.mark.django_db
class TestChildContacts:  # P5
    @pytest.fixture
    def child(self, care_unit):
        return PatientFactory(personnummer="201706159835", first_name="Lo", last_name="Berg",
                              has_eid=False, mobile="", care_units=[care_unit])

    def test_one_agent_among_the_guardians_with_a_mobile_is_accepted(self, child, care_unit):
        karin = GuardianFactory(child=child, mobile="+46701740606")
        johan = GuardianFactory(child=child, personnummer="198301309855", first_name="Johan")
        child_contacts_clean(patient=child, care_unit=care_unit, primary_contact=johan,
                                 agent=karin)

    def test_the_agent_must_be_one_of_the_childs_guardians(self, child, care_unit):
        GuardianFactory(child=child, mobile="+46701740606")
        stranger = GuardianFactory(personnummer="195811029882", mobile="+46701740607")
        with pytest.raises(ValidationError) as error:
            child_contacts_clean(patient=child, care_unit=care_unit, primary_contact=stranger,
                                 agent=stranger)
        assert set(error.value.message_dict) == {"primary_contact", "agent"}

    def test_an_agent_is_required(self, child, care_unit):
        karin = GuardianFactory(child=child, mobile="+46701740606")
        with pytest.raises(ValidationError) as error:
            child_contacts_clean(patient=child, care_unit=care_unit, primary_contact=karin,
                                 agent=None)
        assert "en (1)" in error.value.message_dict["agent"][0]

    def test_the_agent_needs_a_mobile_for_the_link(self, child, care_unit):
        karin = GuardianFactory(child=child, mobile="")
        with pytest.raises(ValidationError) as error:
            child_contacts_clean(patient=child, care_unit=care_unit, primary_contact=karin,
                                 agent=karin)
        assert "mobilnummer" in error.value.message_dict["agent"][0]

    def test_the_agents_number_must_be_a_swedish_mobile(self, child, care_unit):
        karin = GuardianFactory(child=child, mobile="090-123456")  # a landline, from admin
        with pytest.raises(ValidationError) as error:
            child_contacts_clean(patient=child, care_unit=care_unit, primary_contact=karin,
                                 agent=karin)
        assert "inte ett giltigt svenskt mobilnummer" in error.value.message_dict["agent"][0]

    def test_the_agents_mobile_is_the_one_the_visits_unit_keeps(self, child, care_unit,
                                                                 other_unit):
        child.care_units.add(other_unit)
        karin = GuardianFactory(child=child)
        guardian_update_contact(guardian=karin, care_unit=care_unit, mobile="+46701740606",
                                email="", user=child.created_by)
        child_contacts_clean(patient=child, care_unit=care_unit, primary_contact=karin,
                             agent=karin)
        with pytest.raises(ValidationError) as error:
            child_contacts_clean(patient=child, care_unit=other_unit, primary_contact=karin,
                                 agent=karin)
        assert "saknar mobilnummer" in error.value.message_dict["agent"][0]
