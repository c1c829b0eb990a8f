"""S2 and G5 as matrices: every patient and visit endpoint, every staff socket.

The endpoints are found by walking the URL resolver, so a view added later is in
the matrix without anyone remembering to add it; one whose URL needs a value this
file does not know fails loudly until it is taught here.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AccessLogEntry
from guests.joining import LINK_SESSION_KEY, SESSION_KEY
from guests.models import Participant
from guests.services import participant_add
from integrations.models import OutboxMessage
from tests.patients.factories import GuardianFactory, PatientFactory
from tests.visits.factories import VideoVisitFactory
from videovisit.asgi import application
from videovisit.routing import websocket_urlpatterns
from visits.models import VideoVisit
from visits.realtime import visit_changed

# Endpoints that name no patient or visit: each shows only the user's own unit's
# data, which the tests below check on their own.
UNIT_WIDE = {"patients:search", "patients:create", "visits:start", "visits:new"}


def walk(patterns, namespace: str | None = None, prefix: str = ""):
    """(view name, route, URL keyword names) of every URL pattern under the root."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in [namespace, entry.namespace] if n) or None
            yield from walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            route = prefix + str(entry.pattern)
            yield name, route, list(entry.pattern.converters)


def endpoints(*namespaces: str) -> list[tuple[str, list[str]]]:
    found = [(name, kwargs) for name, _route, kwargs in walk(get_resolver().url_patterns)
             if name and name.split(":")[0] in namespaces]
    assert found, namespaces
    return found


def call(client: Client, url: str):
    """The endpoint the way it is used: GET, or POST where GET is not allowed."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {"notes": "x", "mobile": "0701740605", "email": ""})
    return response


@pytest.fixture
def objects(care_unit, clinician):
    """A child patient with a guardian and a visit, all at alice's unit."""
    patient = PatientFactory(personnummer="201706159835", has_eid=False, mobile="",
                             care_units=[care_unit])
    guardian = GuardianFactory(child=patient)
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=patient)
    participant, _token = participant_add(
        visit=visit, kind=Participant.Kind.RELATIVE, first_name="Margareta",
        last_name="Ek", channel=Participant.Channel.SMS, mobile="+46701740608")
    message = OutboxMessage.objects.get(visit=visit)
    return {"patient": patient, "guardian": guardian, "visit": visit,
            "participant": participant, "message": message}


def url_values(namespace: str, objects: dict) -> dict:
    owner = objects["patient"] if namespace == "patients" else objects["visit"]
    return {"pk": owner.pk, "guardian_pk": objects["guardian"].pk, "action": "receive",
            "participant_pk": objects["participant"].pk, "message_pk": objects["message"].pk}


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, kw in endpoints("patients", "visits")
                                  if n not in UNIT_WIDE])
def test_another_units_clinician_is_refused_every_patient_and_visit_endpoint(
        client, outsider, objects, name):  # S1, S2
    namespace = name.split(":")[0]
    values = url_values(namespace, objects)
    kwargs = dict(endpoints(namespace))[name]
    unknown = set(kwargs) - set(values)
    assert not unknown, f"{name}: teach this test a value for {unknown}"
    client.force_login(outsider)
    before = {"visit": VideoVisit.objects.values().get(pk=objects["visit"].pk),
              "patient": type(objects["patient"]).objects.values().get(
                  pk=objects["patient"].pk)}

    response = call(client, reverse(name, kwargs={k: values[k] for k in kwargs}))

    assert response.status_code == 403, name
    denied = AccessLogEntry.objects.get(user=outsider)
    assert denied.outcome == AccessLogEntry.Outcome.DENIED
    assert denied.patient == objects["patient"]
    assert VideoVisit.objects.values().get(pk=objects["visit"].pk) == before["visit"]
    assert type(objects["patient"]).objects.values().get(
        pk=objects["patient"].pk) == before["patient"]


def test_the_unit_wide_endpoints_are_the_only_ones_without_an_object():
    names = {n for n, kw in endpoints("patients", "visits") if not kw}
    assert names == UNIT_WIDE


@pytest.mark.django_db
def test_the_unit_wide_endpoints_show_another_unit_nothing(client, outsider, objects):  # S2
    client.force_login(outsider)
    patient, visit = objects["patient"], objects["visit"]
    assert "Du har inga videobesök" in client.get(reverse("visits:start")).content.decode()
    card = client.post(reverse("patients:search"),
                       {"personnummer": patient.personnummer}).content.decode()
    assert reverse("patients:detail", args=[patient.pk]) not in card
    assert reverse("visits:detail", args=[visit.pk]) not in card
    row = AccessLogEntry.objects.get(user=outsider)
    assert row.outcome == AccessLogEntry.Outcome.NOT_FOUND and row.patient is None


# --- WebSockets ---------------------------------------------------------------

def socket_routes() -> list[tuple[str, list[str]]]:
    return [(str(route.pattern), list(route.pattern.converters))
            for route in websocket_urlpatterns]


@database_sync_to_async
def session_cookie(user=None, session: dict | None = None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    if session is not None:
        stored = client.session
        stored.update(session)
        stored.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = stored.session_key
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def socket(path: str, cookie: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[
        (b"origin", b"http://localhost"), (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())])


def socket_path(route: str, kwargs: list[str], visit: VideoVisit) -> str:
    values = {"pk": visit.pk, "visit_pk": visit.pk, "visit_id": visit.pk}
    unknown = set(kwargs) - set(values)
    assert not unknown, f"{route}: teach this test a value for {unknown}"
    path = "/" + route.lstrip("^").rstrip("$")
    for name in kwargs:
        path = path.replace(f"<int:{name}>", str(values[name]))
    return path


@pytest.mark.django_db(transaction=True)
async def test_another_units_clinician_gets_no_visit_socket_and_no_events(
        outsider, care_unit, clinician):  # S1, S2
    visit = await database_sync_to_async(VideoVisitFactory)(owner=clinician,
                                                            care_unit=care_unit)
    cookie = await session_cookie(outsider)
    checked = 0
    for route, kwargs in socket_routes():
        if not kwargs:
            continue
        ws = socket(socket_path(route, kwargs, visit), cookie)
        connected, _ = await ws.connect()
        assert not connected, route
        rows = await database_sync_to_async(list)(AccessLogEntry.objects.filter(
            user=outsider, outcome="denied", object_id=str(visit.pk)))
        assert rows, f"{route}: the refusal is not in the access log"
        checked += 1

    # The staff socket is the user's own: it opens, but carries nothing of the
    # other unit's visits when they change.
    ws = socket("/ws/staff/", cookie)
    connected, _ = await ws.connect()
    assert connected
    await database_sync_to_async(visit_changed_now)(visit)
    assert await ws.receive_nothing(timeout=1)
    await ws.disconnect()
    assert checked == len([r for r in socket_routes() if r[1]])


def visit_changed_now(visit: VideoVisit) -> None:
    from django.db import transaction

    with transaction.atomic():
        visit_changed(visit)


# --- Guests (G5): a join session is not a staff session -------------------------

def staff_endpoints() -> list[tuple[str, list[str]]]:
    outside_staff = {"guests", "login", "logout", "set_language", "healthz"}
    # The 1177 portal's and the self check-in system's feeds answer to their bearer
    # tokens, never to a session (their own tests refuse a wrong or missing token).
    machine_endpoints = {"bookings:published-feed", "bookings:self-checkin-feed"}
    return [(name, kwargs) for name, _route, kwargs in walk(get_resolver().url_patterns)
            if name and name.split(":")[0] not in outside_staff
            and name not in machine_endpoints and not name.startswith("admin:")]


@pytest.fixture
def join_client(client, objects):
    participant, _token = participant_add(
        visit=objects["visit"], kind=Participant.Kind.RELATIVE, first_name="Margareta",
        last_name="Ek", channel=Participant.Channel.SMS, mobile="+46701740608")
    session = client.session
    session[SESSION_KEY] = participant.pk
    session[LINK_SESSION_KEY] = participant.links.get().pk
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert client.get(reverse("guests:join")).status_code == 200  # the join session works
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, _kw in staff_endpoints()])
def test_a_join_session_reaches_no_staff_endpoint(join_client, objects, settings,
                                                  name):  # G5, S2
    settings.DEBUG = True  # the development Inkorg exists too
    kwargs = dict(staff_endpoints())[name]
    namespace = name.split(":")[0]
    values = url_values(namespace, objects) if namespace in {"patients", "visits"} else {}
    # Signing in comes before any look-up, so other ids need only fit their converter.
    values = {k: values.get(k, 1 if k.endswith("pk") else "x") for k in kwargs}
    url = reverse(name, kwargs={k: values[k] for k in kwargs})
    for response in [join_client.get(url), join_client.post(url, {"notes": "x"})]:
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), (name, response)
        else:
            assert response.status_code in (403, 405), (name, response.status_code)
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
def test_a_join_session_gets_no_admin(join_client):  # G5
    response = join_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.fixture
def relative(care_unit, clinician) -> Participant:
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit)
    participant, _token = participant_add(
        visit=visit, kind=Participant.Kind.RELATIVE, first_name="Margareta",
        last_name="Ek", channel=Participant.Channel.SMS, mobile="+46701740608")
    return participant


@pytest.mark.django_db(transaction=True)
async def test_a_join_session_opens_no_staff_socket(relative):  # G5
    link = await database_sync_to_async(relative.links.get)()
    cookie = await session_cookie(session={SESSION_KEY: relative.pk, LINK_SESSION_KEY: link.pk})
    for route, kwargs in socket_routes():
        if kwargs and "staff" not in route:
            continue  # a visit's room is where a guest belongs; the room's tests own it
        ws = socket(socket_path(route, kwargs, relative.visit), cookie)
        connected, _ = await ws.connect()
        assert not connected, route
