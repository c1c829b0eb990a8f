"""P1: a number whose birth date is in the future or more than 130 years back is refused
with its own message wherever staff type one, and nobody is looked up for it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Patient
from tests.patients.factories import PatientFactory
from tests.patients.test_personnummer import with_luhn_digit
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
FUTURE = "Födelsedatumet i personnumret ligger i framtiden."
TOO_OLD = "Födelsedatumet i personnumret ligger mer än 130 år tillbaka i tiden."


def born_tomorrow() -> str:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    ten = with_luhn_digit(f"{tomorrow:%y%m%d}123")
    return f"{tomorrow.year // 100}{ten[:6]}-{ten[6:]}"


IMPLAUSIBLE = [
    pytest.param(born_tomorrow, FUTURE, id="born-tomorrow"),
    pytest.param(lambda: "12121212-1212", TOO_OLD, id="year-1212"),
    pytest.param(lambda: "850312+9820", TOO_OLD, id="plus-1885"),
]


class RefusingRegistry:
    """A registry that must not be asked: an implausible number gets no look-up."""

    asked: list = []

    def lookup(self, personnummer):
        RefusingRegistry.asked.append(personnummer)
        return None


def refusing_registry(settings) -> type[RefusingRegistry]:
    settings.REGISTRY_BACKEND = "tests.patients.test_implausible_numbers.RefusingRegistry"
    RefusingRegistry.asked = []
    return RefusingRegistry


@pytest.fixture
def registry(settings):
    return refusing_registry(settings)


@pytest.mark.parametrize(("number", "message"), IMPLAUSIBLE)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "form"])
def test_sok_patient_says_why_the_number_cannot_be_right(client, alice, registry, number,
                                                         message, htmx):  # P1
    response = client.post(reverse("patients:search"), {"personnummer": number()},
                           headers=HTMX if htmx else {})
    assert response.status_code == (422 if htmx else 200)
    content = response.content.decode()
    assert message in content and 'role="alert"' in content
    assert registry.asked == []


@pytest.mark.parametrize(("number", "message"), IMPLAUSIBLE)
def test_skapa_patient_with_such_a_number_creates_nothing_and_says_why(client, alice, registry,
                                                                       number, message):  # P1
    response = client.post(reverse("patients:create"),
                           {"personnummer": number(), "mobile": "070-174 06 05"}, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert registry.asked == [] and not Patient.objects.exists()


@pytest.mark.parametrize(("number", "message"), IMPLAUSIBLE)
def test_nytt_besok_says_why_and_keeps_what_was_typed(client, alice, care_unit, number,
                                                      message):  # P1, V4
    PatientFactory(care_units=[care_unit])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("visits:new"), {
        "personnummer": number(), "day": tomorrow.isoformat(), "start": "13:30",
        "minutes": "30", "reason": "Uppföljning"})
    content = response.content.decode()
    assert response.status_code == 422
    assert message in content and 'value="Uppföljning"' in content
    assert not VideoVisit.objects.exists()
