"""P1 in Boka videobesök: a number whose birth date is in the future or more than 130 years
back is refused with its own message at every step that takes one, and in the 1177 feed."""

import pytest

from bookings.models import Booking
from tests.bookings.test_views import feed, post, through_time
from tests.patients.test_implausible_numbers import IMPLAUSIBLE, refusing_registry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("number", "message"), IMPLAUSIBLE)
def test_the_patient_step_says_why_the_number_cannot_be_right(client, alice, ref, settings,
                                                              number, message):  # P1
    registry = refusing_registry(settings)
    response = post(client, "patient", {"personnummer": number()}, htmx=True)
    assert response.status_code == 422
    content = response.content.decode()
    assert message in content and 'id="wizard"' in content
    assert registry.asked == []


@pytest.mark.parametrize(("number", "message"), IMPLAUSIBLE)
def test_the_anhorigsamtal_relative_is_refused_before_the_registry_is_asked(
        client, alice, ref, schedule, adult, day, settings, number, message):  # P1, B4
    through_time(client, adult, day, kind="relative_call", owner=alice.pk)
    registry = refusing_registry(settings)
    response = post(client, "deltagare", {"personnummer": number(), "channel": "sms",
                                          "mobile": "070-174 06 10"}, htmx=True)
    content = response.content.decode()
    assert response.status_code == 422
    assert message in content and 'value="070-174 06 10"' in content
    assert registry.asked == [] and not Booking.objects.exists()


@pytest.mark.parametrize(("number", "message"), IMPLAUSIBLE)
def test_a_group_visits_other_patients_are_refused_line_by_line(
        client, alice, ref, schedule, adult, day, number, message):  # P1, B5
    through_time(client, adult, day, kind="group", owner=alice.pk)
    typed = number()
    response = post(client, "deltagare", {
        "others": typed, "meeting_url": "https://teams.microsoft.com/l/meetup-join/x"},
        htmx=True)
    assert response.status_code == 422
    assert f"{typed}: {message}" in response.content.decode()


@pytest.mark.parametrize(("number", "message"), IMPLAUSIBLE)
def test_the_1177_feed_answers_bad_request(client, settings, number, message):  # P1, B8
    settings.BOOKINGS_FEED_TOKEN = "feed-token"
    response = feed(client, number())
    assert response.status_code == 400
    assert response.json() == {"error": "invalid personnummer"}
