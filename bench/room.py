"""Room (R3): WebRTC signalling relay latency through ONE daphne process over the Redis
channel layer, with N rooms of 3 (the clinician, the patient and an interpreter).

Each room sets up its meeting once, at a random moment within BENCH_ROOM_WINDOW seconds
(60 by default): every pair of its three people trades an offer, an answer and nine ICE
candidates each way, 60 signalling messages in all, sent as the room's page sends them
(the answer once the offer has arrived, candidates as soon as they are there). Every
socket also sends the page's heartbeat. Creating the visits, participants and join
sessions and entering the rooms happen before the timed part.

Figures, for N = 50, 100, 200, … (BENCH_ROOM_STEPS) until p99 reaches 50 ms: p50 and p99
of the relay latency, from a client sending a message to the addressed peer receiving
it, each the median of BENCH_ROOM_RUNS runs; the p50's ratio to a bare Redis
publish/subscribe round trip measured in the same run; the largest N whose p99 stays
under 50 ms.
Run: make bench, or alone `python bench/room.py` with DATABASE_URL and REDIS_URL set;
BENCH_ROOM_WINDOW=10 BENCH_ROOM_RUNS=1 BENCH_ROOM_STEPS=50,100 for a quick look.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    daphne,
    percentile,
    progress,
    recreate_database,
    redis_url,
    report,
    scratch_database_url,
    setup_django,
    verdict,
)

WINDOW = float(os.environ.get("BENCH_ROOM_WINDOW", "60"))
STEPS = [int(n) for n in os.environ.get("BENCH_ROOM_STEPS", "50,100,200,400,800").split(",")]
RUNS = int(os.environ.get("BENCH_ROOM_RUNS", "3"))
LIMIT_MS = 50
TARGET_ROOMS = 200
CANDIDATES = 9  # per person and peer: 3 pairs × (offer + answer + 2 × 9) = 60 messages
HEARTBEAT_SECONDS = 20  # as settings.ROOM_HEARTBEAT_SECONDS tells the page

# Sizes as a browser sends them: an SDP of audio and video is a few kilobytes.
SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" + \
    "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n" * 70
CANDIDATE = ("candidate:842163049 1 udp 1677729535 127.0.0.1 54321 typ srflx raddr 0.0.0.0 "
             "rport 0 generation 0 ufrag sXo3 network-cost 999")


def test_personnummer(n: int) -> str:
    """A distinct valid number per n, in Skatteverket's test series (serials 980–999)."""
    from personnummer import personnummer as lib

    year, day, serial = 1980 + n % 20, 1 + (n // 20) % 28, 980 + (n // 560) % 20
    first_nine = f"{year % 100:02d}03{day:02d}{serial:03d}"
    digit = next(d for d in "0123456789" if lib.valid(first_nine + d))
    return f"{year // 100}{first_nine}{digit}"


def build(rooms: int) -> list[list[tuple[str, str]]]:
    """`rooms` live visits, each with its clinician, patient and interpreter signed in:
    per room, the (peer id, session key) of its three people."""
    import datetime

    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import CareUnit, User
    from guests.joining import EID_SESSION_KEY, LINK_SESSION_KEY, SESSION_KEY
    from guests.models import Participant
    from guests.services import participant_add
    from patients.models import Patient
    from visits.models import VideoVisit

    unit = CareUnit.objects.create(name="Bench", hsa_id="SE2321000222-BNCH")
    clinicians = User.objects.bulk_create([
        User(username=f"clinician{n}", password="!", role="clinician") for n in range(rooms)])
    for clinician in clinicians:
        clinician.care_units.add(unit)
    patients = Patient.objects.bulk_create([
        Patient(personnummer=test_personnummer(n), first_name="P", last_name=str(n),
                has_eid=True, registry_checked_at=timezone.now(),
                created_by=clinicians[n]) for n in range(rooms)])
    now = timezone.now()
    visits = VideoVisit.objects.bulk_create([
        VideoVisit(care_unit=unit, patient=patients[n], owner=clinicians[n], starts_at=now,
                   ends_at=now + datetime.timedelta(minutes=30),
                   state=VideoVisit.State.VIDEO_LIVE, meeting_started_at=now)
        for n in range(rooms)])

    def signed_in(**values) -> str:
        session = SessionStore()
        session.update(values)
        session.create()
        return session.session_key

    result = []
    for visit, clinician, patient in zip(visits, clinicians, patients, strict=True):
        people = [(f"s{clinician.pk}", signed_in(
            _auth_user_id=str(clinician.pk),
            _auth_user_backend="django.contrib.auth.backends.ModelBackend",
            _auth_user_hash=clinician.get_session_auth_hash()))]
        for kind, extra in ((Participant.Kind.PATIENT, {"personnummer": patient.personnummer}),
                            (Participant.Kind.INTERPRETER, {})):
            # Into the live meeting at once, as if let in: the timed part is signalling.
            participant, _token = participant_add(
                visit=visit, kind=kind, first_name="N", last_name="N",
                channel=Participant.Channel.NONE, admit_directly=True, send=False, **extra)
            session = {SESSION_KEY: participant.pk,
                       LINK_SESSION_KEY: participant.links.get().pk}
            if participant.requires_eid:
                session[EID_SESSION_KEY] = participant.pk
            people.append((f"p{participant.pk}", signed_in(**session)))
        result.append(people)
    return result


# The clients -------------------------------------------------------------------------


@dataclass
class Step:
    """What one run of one N measures; messages of another run are ignored."""

    run: str
    latencies: list[float] = field(default_factory=list)
    expected: int = 0
    received: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def arrived(self, sent: float) -> None:
        self.latencies.append(time.perf_counter() - sent)
        self.received += 1
        if self.received == self.expected:
            self.done.set()


class Person:
    """One socket of a room: enters, answers offers, measures what reaches it."""

    def __init__(self, peer: str, session: str) -> None:
        self.peer, self.session = peer, session
        self.protocol = None
        self.in_meeting: set[str] = set()
        self.me_in_meeting = False
        self.opened: asyncio.Future | None = None
        self.changed = asyncio.Event()
        self.step: Step | None = None

    def send(self, message: dict) -> None:
        self.protocol.sendMessage(json.dumps(message).encode())

    def signal(self, to: str, data: dict) -> None:
        self.send({"type": "signal", "to": to,
                   "data": data | {"bench": {"run": self.step.run, "sent": time.perf_counter()}}})

    def offer(self, to: str) -> None:
        self.signal(to, {"description": {"type": "offer", "sdp": SDP}})
        self.candidates(to)

    def candidates(self, to: str) -> None:
        for n in range(CANDIDATES):
            self.signal(to, {"candidate": {"candidate": CANDIDATE, "sdpMid": str(n % 2),
                                           "sdpMLineIndex": n % 2, "usernameFragment": "sXo3"}})

    def received(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "state":
            self.me_in_meeting = message["status"] == "in_meeting"
            self.in_meeting = {p["id"] for p in message["peers"] if p["status"] == "in_meeting"}
            self.changed.set()
        elif kind == "signal":
            bench = message["data"].get("bench", {})
            if self.step is None or bench.get("run") != self.step.run:
                return
            self.step.arrived(bench["sent"])
            if message["data"].get("description", {}).get("type") == "offer":
                self.signal(message["from"], {"description": {"type": "answer", "sdp": SDP}})
                self.candidates(message["from"])
        elif kind == "closed":
            raise RuntimeError(f"{self.peer} was closed: {message}")


def protocol_class():
    from autobahn.asyncio.websocket import WebSocketClientProtocol

    class Socket(WebSocketClientProtocol):
        def onOpen(self) -> None:
            person = self.factory.person
            person.protocol = self
            person.opened.set_result(None)

        def onMessage(self, payload: bytes, is_binary: bool) -> None:
            self.factory.person.received(json.loads(payload))

        def onClose(self, was_clean: bool, code: int, reason: str) -> None:
            person = self.factory.person
            if not person.opened.done():
                person.opened.set_exception(RuntimeError(f"{person.peer} refused: {code}"))

    return Socket


async def enter(server: str, visit_id: int, person: Person, protocol) -> None:
    import txaio

    txaio.use_asyncio()
    from autobahn.asyncio.websocket import WebSocketClientFactory

    host, port = urlsplit(server).hostname, urlsplit(server).port
    factory = WebSocketClientFactory(
        f"ws://{host}:{port}/ws/visit/{visit_id}/?c=bench-{person.peer}",
        origin=server, headers={"Cookie": f"sessionid={person.session}"})
    # The clients' own checks are not what is measured; the server checks everything.
    factory.setProtocolOptions(utf8validateIncoming=False, autoPingInterval=0)
    factory.protocol = protocol
    factory.person = person
    person.opened = asyncio.get_running_loop().create_future()
    await asyncio.get_running_loop().create_connection(factory, host, port)
    await person.opened


async def all_in_meeting(room: list[Person]) -> None:
    while not all(p.me_in_meeting and len(p.in_meeting) == len(room) - 1 for p in room):
        await asyncio.gather(*(p.changed.wait() for p in room if not p.me_in_meeting
                               or len(p.in_meeting) < len(room) - 1))
        for p in room:
            p.changed.clear()


def set_up_meeting(room: list[Person]) -> None:
    """Each pair: the first sends the offer and its candidates; the other answers on it."""
    for i, caller in enumerate(room):
        for callee in room[i + 1:]:
            caller.offer(callee.peer)


async def heartbeat(people: list[Person]) -> None:
    """The page's ping, spread evenly over the interval."""
    while True:
        for person in people:
            person.send({"type": "ping"})
            await asyncio.sleep(HEARTBEAT_SECONDS / len(people))


async def pubsub_round_trip(count: int = 500) -> float:
    """Median time from PUBLISH to the subscriber having the message, in seconds."""
    import redis.asyncio as redis

    publisher, subscriber = redis.from_url(redis_url()), redis.from_url(redis_url())
    channel = f"bench-pubsub-{random.getrandbits(32)}"
    pubsub = subscriber.pubsub()
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=5)  # the subscription's confirmation
    payload = json.dumps({"candidate": CANDIDATE})
    samples = []
    try:
        for _ in range(count):
            began = time.perf_counter()
            await publisher.publish(channel, payload)
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
            if message is None:
                raise RuntimeError("Redis pub/sub lost a message")
            samples.append(time.perf_counter() - began)
    finally:
        await pubsub.aclose()
        await publisher.aclose()
        await subscriber.aclose()
    return statistics.median(samples)


@dataclass
class Result:
    rooms: int
    p50: float
    p99: float
    pubsub: float
    lost: int


async def run_step(rooms: list[list[Person]], name: str, seed: int) -> tuple[Step, float]:
    """Every room sets up its meeting once at a random moment within the window."""
    step = Step(run=name, expected=len(rooms) * 60)
    for room in rooms:
        for person in room:
            person.step = step
    pubsub = await pubsub_round_trip()
    loop = asyncio.get_running_loop()
    chance = random.Random(seed)
    for room in rooms:
        loop.call_later(chance.uniform(0, WINDOW), set_up_meeting, room)
    try:
        await asyncio.wait_for(step.done.wait(), WINDOW + 30)
    except TimeoutError:
        pass  # counted as lost below
    return step, pubsub


async def measure(server: str, world: list[list[tuple[str, str]]]) -> list[Result]:
    protocol = protocol_class()
    rooms: list[list[Person]] = []
    results = []
    beat = None
    # Entering is set-up, not what is measured: a few at a time, not all at once.
    entering = asyncio.Semaphore(20)

    async def enter_room(people: list[tuple[str, str]], visit_id: int) -> list[Person]:
        room = [Person(peer, session) for peer, session in people]
        for person in room:
            async with entering:
                await enter(server, visit_id, person, protocol)
        await asyncio.wait_for(all_in_meeting(room), 60)
        return room

    try:
        for n in STEPS:
            progress(f"room: entering {n} rooms")
            rooms += await asyncio.gather(*(enter_room(world[i][1], world[i][0])
                                            for i in range(len(rooms), n)))
            if beat is not None:
                beat.cancel()
            beat = asyncio.create_task(heartbeat([p for room in rooms for p in room]))
            await asyncio.sleep(2)  # let the entries' snapshots settle
            runs = []
            for run in range(RUNS):
                step, pubsub = await run_step(rooms, f"{n}-{run}", seed=n * 100 + run)
                p50, p99 = (percentile(step.latencies, 50), percentile(step.latencies, 99))
                if os.environ.get("BENCH_ROOM_DEBUG"):
                    progress(" ".join(f"p{q}={percentile(step.latencies, q) * 1000:.1f}"
                                      for q in (1, 10, 25, 50, 75, 90, 95, 99)))
                progress(f"room: {n} rooms, run {run + 1}: p50 {p50 * 1000:.1f} ms, p99 "
                         f"{p99 * 1000:.1f} ms, pub/sub {pubsub * 1000:.2f} ms, "
                         f"{step.expected - step.received} lost")
                runs.append(Result(n, p50, p99, pubsub, step.expected - step.received))
            results.append(Result(
                n, statistics.median(r.p50 for r in runs),
                statistics.median(r.p99 for r in runs),
                statistics.median(r.pubsub for r in runs), sum(r.lost for r in runs)))
            if results[-1].p99 * 1000 >= LIMIT_MS:
                break
    finally:
        if beat is not None:
            beat.cancel()
        for room in rooms:
            for person in room:
                if person.protocol is not None:
                    person.protocol.sendClose()
        await asyncio.sleep(1)
    return results


def build_world(url: str, rooms: int) -> None:
    """In a process of its own, as Django with daphne installed picks Twisted for autobahn
    while the clients here use asyncio: build and report as JSON."""
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    people = build(rooms)
    from visits.models import VideoVisit

    visit_ids = list(VideoVisit.objects.order_by("pk").values_list("pk", flat=True))
    print(json.dumps(list(zip(visit_ids, people, strict=True))))


def main() -> None:
    url = scratch_database_url("room")
    progress(f"room: building {max(STEPS)} visits")
    done = subprocess.run([sys.executable, __file__, "build", url, str(max(STEPS))],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"room: building the rooms failed:\n{done.stderr[-4000:]}")
    world = json.loads(done.stdout.strip().splitlines()[-1])
    with daphne(url) as server:
        results = asyncio.run(measure(server, world))
    passed = [r.rooms for r in results if r.p99 * 1000 < LIMIT_MS]
    largest = max(passed, default=0)
    capped = len(results) == len(STEPS) and results[-1].p99 * 1000 < LIMIT_MS
    rows = []
    for r in results:
        rows += [
            (f"relay p50 / p99, {r.rooms} rooms", f"{r.p50 * 1000:.1f} / {r.p99 * 1000:.1f} ms",
             verdict(r.p99 * 1000 < LIMIT_MS, f"p99 < {LIMIT_MS} ms")),
            (f"relay p50 / Redis pub/sub, {r.rooms} rooms",
             f"{r.p50 / r.pubsub:.1f}x", f"pub/sub round trip {r.pubsub * 1000:.2f} ms"),
        ]
    lost = sum(r.lost for r in results)
    rows += [
        ("messages not delivered, all runs", str(lost), verdict(lost == 0, "0")),
        ("largest N with p99 < 50 ms",
         f"{largest}{'+' if capped else ''} rooms" if largest else f"< {STEPS[0]} rooms",
         verdict(largest >= TARGET_ROOMS, f">= {TARGET_ROOMS}")
         + (" (the last step; not its limit)" if capped else "")),
    ]
    report(f"Room: rooms of 3, each one meeting set-up (60 signalling messages) at a random "
           f"moment within {WINDOW:g} s, one daphne process; median of {RUNS} run(s)", rows)


if __name__ == "__main__":
    if sys.argv[1:2] == ["build"]:
        build_world(sys.argv[2], int(sys.argv[3]))
    else:
        main()
