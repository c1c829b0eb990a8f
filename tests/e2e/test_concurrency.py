"""Concurrent staff through the real server: a clear refusal, never a 500 or a deadlock,
and no change without its access-log row (B6, S1)."""

import datetime
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from audit.models import AccessLogEntry
from bookings.models import Booking
from tests.accounts.factories import UserFactory
from tests.bookings.conftest import at
from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 10
TAKEN = re.compile(r"Patienten har redan ett videobesök då|Tiden är upptagen: Läkare Nr \d har "
                   r"redan ett besök då")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class StaffBrowser:
    """One signed-in staff member's session, talking HTTP to the server."""

    opener = urllib.request.build_opener(NoRedirect())

    def __init__(self, base: str, user) -> None:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        self.base = base
        self.cookies = {"sessionid": session.session_key}
        self.token = ""

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = None if data is None else urllib.parse.urlencode(
            data | {"csrfmiddlewaretoken": self.token}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={
            "Referer": self.base + path,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
        try:
            with self.opener.open(request, timeout=60) as response:
                status, page, headers = response.status, response.read().decode(), \
                    response.headers
        except urllib.error.HTTPError as error:
            status, page, headers = error.code, error.read().decode(), error.headers
        for cookie in headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        found = TOKEN.search(page)
        self.token = found.group(1) if found else self.token
        return status, page

    def get(self, path: str) -> str:
        status, page = self.request(path)
        assert status == 200, (path, status)
        return page

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self.request(path, data)


def at_once(calls) -> list:
    """Run the calls in threads released at the same instant; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(n: int) -> None:
        barrier.wait()
        results[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def staff(care_unit):
    return [UserFactory(username=f"lakare{n}", first_name="Läkare", last_name=f"Nr {n}",
                        care_units=[care_unit]) for n in range(CLIENTS)]


def test_ten_clinicians_creating_one_patients_visit_at_once_one_wins_the_rest_are_told(
        live_server_url, care_unit, staff):  # B6, V4, S1
    patient = PatientFactory(personnummer="198503129820", care_units=[care_unit])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    browsers = [StaffBrowser(live_server_url, user) for user in staff]
    for browser in browsers:
        browser.get("/besok/nytt/")
    form = {"personnummer": "19850312-9820", "day": tomorrow.isoformat(), "start": "13:30",
            "minutes": "30", "reason": "Uppföljning"}
    # Each one asks the others along as Sjukvårdspersonal: their rows are locked too.
    results = at_once([
        lambda b=b, me=me: b.post("/besok/nytt/", form | {
            "staff": [user.pk for user in staff if user != me]})
        for b, me in zip(browsers, staff, strict=True)])

    statuses = sorted(status for status, _page in results)
    assert statuses == [302] + [422] * (CLIENTS - 1), statuses
    for status, page in results:
        if status == 422:  # the time is taken: by the patient, or by one of the staff
            assert TAKEN.search(page), page
    visit = VideoVisit.objects.get(patient=patient)
    created = AccessLogEntry.objects.filter(action="create", object_id=str(visit.pk),
                                            object_type="visits.videovisit")
    assert created.count() == 1 and created.get().user == visit.owner


def test_ten_moves_of_different_visits_onto_one_clinicians_time_one_wins(
        live_server_url, care_unit, staff):  # B6, B7, S1
    """Each clinician moves their own visit of the same patient to the same new time."""
    patient = PatientFactory(personnummer="198503129820", care_units=[care_unit])
    day = timezone.localdate() + datetime.timedelta(days=1)
    half_hour = datetime.timedelta(minutes=30)
    visits = [VideoVisitFactory(owner=user, care_unit=care_unit, patient=patient,
                                starts_at=at(day, 8) + n * half_hour,
                                ends_at=at(day, 8) + (n + 1) * half_hour)
              for n, user in enumerate(staff)]
    browsers = [StaffBrowser(live_server_url, user) for user in staff]
    for browser, visit in zip(browsers, visits, strict=True):
        browser.get(f"/besok/{visit.pk}/")
    form = {"day": (day + datetime.timedelta(days=1)).isoformat(), "start": "13:30",
            "minutes": "30"}
    results = at_once([lambda b=b, v=v: b.post(f"/besok/{v.pk}/flytta/", form)
                       for b, v in zip(browsers, visits, strict=True)])

    statuses = sorted(status for status, _page in results)
    assert 500 not in statuses, statuses
    moved = [v for v in VideoVisit.objects.filter(patient=patient)
             if timezone.localtime(v.starts_at).time() == datetime.time(13, 30)]
    assert len(moved) == 1
    assert statuses.count(422) == CLIENTS - 1, statuses
    for status, page in results:
        if status == 422:
            assert "Patienten har redan ett videobesök då" in page
    assert AccessLogEntry.objects.filter(action="update", object_id=str(moved[0].pk)).exists()
    assert not Booking.objects.exists()
