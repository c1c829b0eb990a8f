"""The video room in Chromium with fake camera and microphone (G4, R1–R5).

Video really flows: the patient's RTCPeerConnection reports decoded frames from the
clinician, over a connection that reached "connected".
"""

import json
import re
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect

from guests.models import Participant
from guests.services import participant_add
from tests.e2e.conftest import ROOT, close_rooms, daphne_env, free_port, log_in
from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory
from visits.models import RoomPresence, VideoVisit

pytestmark = pytest.mark.django_db(transaction=True)

# Keeps every RTCPeerConnection a page makes, so the test can read its statistics.
CAPTURE_PEER_CONNECTIONS = """
window.__peerConnections = [];
const Original = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Original {
  constructor(...args) { super(...args); window.__peerConnections.push(this); }
};
"""

VIDEO_STATS = """
async () => {
  const found = [];
  for (const pc of window.__peerConnections) {
    if (pc.connectionState === "closed") continue;
    let frames = 0;
    (await pc.getStats()).forEach((report) => {
      if (report.type === "inbound-rtp" && report.kind === "video") {
        frames += report.framesDecoded || 0;
      }
    });
    found.push({state: pc.connectionState, frames, signaling: pc.signalingState,
                ice: pc.iceConnectionState, gathering: pc.iceGatheringState,
                local: pc.currentLocalDescription?.type,
                remote: pc.currentRemoteDescription?.type});
  }
  return found;
}
"""


def new_page(browser, live_server_url):
    context = browser.new_context(base_url=live_server_url, timezone_id="Europe/Stockholm")
    context.add_init_script(CAPTURE_PEER_CONNECTIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_log = []
    page.on("console", lambda message: page.console_log.append(message.text))
    return page


def wait_for_video(page, peers: int = 1, timeout_ms: int = 20_000) -> list[dict]:
    """Poll getStats until `peers` connections are connected and decode video frames."""
    deadline = timeout_ms // 250
    stats: list[dict] = []
    for _ in range(deadline):
        stats = page.evaluate(VIDEO_STATS)
        flowing = [s for s in stats if s["state"] == "connected" and s["frames"] > 0]
        if len(flowing) >= peers:
            return stats
        page.wait_for_timeout(250)
    raise AssertionError(f"no video decoded: {stats}; console: {page.console_log[-20:]}")


@pytest.fixture
def visit(clinician, care_unit):
    eva = PatientFactory(first_name="Eva", last_name="Lindqvist", care_units=[care_unit])
    return VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=eva,
                             state=VideoVisit.State.STARTED)


def invite(visit, kind=Participant.Kind.PATIENT, first_name="Eva", **fields) -> str:
    if kind == Participant.Kind.PATIENT:
        fields["personnummer"] = visit.patient.personnummer
    last_name = visit.patient.last_name if kind == "patient" else "Digital"
    # The service notifies the channel layer on commit, which cannot run in the thread
    # where Playwright keeps its event loop.
    def add() -> str:
        try:
            return participant_add(visit=visit, kind=kind, first_name=first_name,
                                   last_name=last_name, channel="none", **fields)[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(add).result()


def identify(page, token: str, *, as_: str) -> None:
    page.goto(f"/in/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan till videomöte")
    page.get_by_role("link", name="Fortsätt till legitimering").click()
    page.get_by_role("button", name="Legitimera med BankID").click()
    expect(page.get_by_role("img", name="QR-kod för BankID")).to_be_visible()
    page.get_by_role("button", name=as_).click()


def test_the_patient_identifies_waits_and_meets_the_clinician(browser, live_server_url,
                                                               clinician, visit):  # G4, R1–R5
    token = invite(visit)
    interpreter_token = invite(visit, Participant.Kind.INTERPRETER, first_name="Tolk")
    patient = new_page(browser, live_server_url)
    staff = new_page(browser, live_server_url)
    interpreter = new_page(browser, live_server_url)
    try:
        identify(patient, token, as_="Identifiera som Eva Lindqvist")
        # The invitation page was shown in a browser: staff see "Länken öppnad".
        assert visit.participants.get(kind="patient").links.get().redeemed_at is not None
        expect(patient.get_by_role("heading", level=1)).to_have_text("Testa utrustning")
        expect(patient.locator("#device-status")).to_have_text("Kameran och mikrofonen fungerar.")
        patient.get_by_role("link", name="Gå till väntrummet").click()
        expect(patient.locator("[data-room-status]")).to_have_text(
            "Vårdpersonalen släpper in dig snart.")

        log_in(staff, "alice")
        expect(staff.get_by_role("row", name="Eva Lindqvist")).to_contain_text("1 väntar")
        staff.get_by_role("link", name="Öppna").click()
        expect(staff.get_by_role("region", name="I videorummet")).to_contain_text("väntar")
        staff.get_by_role("button", name="Starta videomöte").click()

        expect(patient.locator("[data-room-status]")).to_have_text("Du är med i videomötet.")
        expect(staff.get_by_role("region", name="Videomöte")).to_be_visible()
        for page in (patient, staff):
            expect(page.get_by_role("button", name="Lämna mötet")).to_be_visible()
            expect(page.get_by_role("button", name="Anslut till videomötet")).to_be_hidden()
        stats = wait_for_video(patient)
        assert any(s["state"] == "connected" and s["frames"] > 0 for s in stats)
        wait_for_video(staff)

        # A later arrival waits until staff let them in, then sees both (R2, R3).
        interpreter.goto(f"/in/{interpreter_token}/")
        interpreter.get_by_role("link", name="Fortsätt till test av utrustning").click()
        interpreter.get_by_role("link", name="Gå till väntrummet").click()
        expect(interpreter.locator("[data-room-status]")).to_have_text(
            "Vårdpersonalen släpper in dig snart.")
        staff.get_by_role("button", name="Släpp in Tolk Digital").click()
        expect(interpreter.locator("[data-room-status]")).to_have_text("Du är med i videomötet.")
        wait_for_video(interpreter, peers=2)
        wait_for_video(patient, peers=2)

        staff.get_by_role("button", name="Avsluta videomöte").click()  # R5
        staff.get_by_role("button", name="Avsluta videomötet").click()
        expect(patient.locator("[data-room-status]")).to_have_text(
            "Videomötet är avslutat. Du kan stänga sidan.")
        expect(interpreter.locator("[data-room-status]")).to_contain_text("avslutat")
        # The patient's page says the meeting has ended, not Väntrum, and stays so.
        expect(patient.get_by_role("heading", level=1)).to_have_text("Videomötet är avslutat")
        expect(patient).to_have_title("Videomötet är avslutat")
        # Staff still have the visit to finish: the room says so, not "close the page".
        staff_room = staff.get_by_role("region", name="Videomöte")
        expect(staff_room).to_contain_text("Avsluta besöket med knappen Avsluta besök")
        expect(staff_room).not_to_contain_text("stänga sidan")
        expect(staff.get_by_role("button", name="Avsluta besök")).to_be_visible()
        patient.reload()
        expect(patient.get_by_role("heading", level=1)).to_have_text("Videomötet är avslutat")
        expect(patient.locator("[data-room-status]")).to_contain_text("avslutat")
    finally:
        close_rooms(patient, staff, interpreter)


def test_late_arrivals_wait_until_staff_let_them_in_or_refuse(browser, live_server_url,
                                                               clinician, visit):  # R1, R2
    relative_token = invite(visit, Participant.Kind.RELATIVE, first_name="Margareta")
    other_token = invite(visit, Participant.Kind.GUEST, first_name="Olle")
    staff = new_page(browser, live_server_url)
    relative = new_page(browser, live_server_url)
    other = new_page(browser, live_server_url)
    try:
        log_in(staff, "alice")
        staff.goto(f"/besok/{visit.pk}/")
        staff.get_by_role("button", name="Starta videomöte").click()
        expect(staff.get_by_role("region", name="Videomöte")).to_be_visible()

        relative.goto(f"/in/{relative_token}/")
        relative.goto("/mote/rum/")
        status = relative.locator("[data-room-status]")
        expect(status).to_have_text("Vårdpersonalen släpper in dig snart.")
        expect(relative.get_by_text("när vårdpersonalen släpper in dig")).to_be_visible()
        presence = staff.get_by_role("region", name="I videorummet")
        expect(presence).to_contain_text(
            "Väntar: Margareta Digital, Närstående eller vårdnadshavare")
        # With the keyboard: the button takes focus and Enter presses it.
        staff.get_by_role("button", name="Släpp in Margareta Digital").focus()
        staff.keyboard.press("Enter")
        said = staff.locator("#room-admission").get_by_role("status")
        expect(said).to_have_text("Margareta Digital är insläppt i videomötet.")
        expect(said).to_be_focused()
        expect(status).to_have_text("Du är med i videomötet.")
        expect(presence).not_to_contain_text("Väntar:")
        wait_for_video(relative)
        wait_for_video(staff)

        other.goto(f"/in/{other_token}/")
        other.goto("/mote/rum/")
        expect(other.locator("[data-room-status]")).to_have_text(
            "Vårdpersonalen släpper in dig snart.")
        expect(presence).to_contain_text("Väntar: Olle Digital, Annan gäst")
        staff.get_by_role("button", name="Neka Olle Digital").click()
        expect(other.locator("[data-room-status]")).to_have_text(
            "Vårdpersonalen har inte släppt in dig i videomötet. Kontakta mottagningen om du "
            "har frågor.")
        expect(said).to_have_text(
            "Olle Digital släpps inte in och har fått veta det i väntrummet.")
        expect(presence).not_to_contain_text("Olle")
        assert other.evaluate("window.__peerConnections.length") == 0  # never in the meeting
        expect(status).to_have_text("Du är med i videomötet.")  # the others carry on
    finally:
        close_rooms(staff, relative, other)


def test_someone_else_with_the_patients_link_is_refused(browser, live_server_url, visit):  # G4
    patient = new_page(browser, live_server_url)
    try:
        identify(patient, invite(visit), as_="Identifiera som någon annan")
        expect(patient.get_by_role("alert")).to_contain_text(
            "annat personnummer än det som inbjudan gäller")
        patient.goto("/mote/rum/")
        expect(patient.get_by_role("heading", level=1)).to_have_text("Legitimera dig")
    finally:
        patient.context.close()


def test_a_pair_whose_answer_was_lost_connects_on_a_new_peer_connection(
        browser, live_server_url, clinician, visit):  # R4
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_LIVE)
    token = invite(visit, Participant.Kind.INTERPRETER, first_name="Tolk", admit_directly=True)
    guest = new_page(browser, live_server_url)
    staff = new_page(browser, live_server_url)
    lost = []

    # One page never hears the other's first answer, as if its socket had dropped at
    # that moment: that pair is stuck until a new connection replaces it. Which of the
    # two makes the offer depends on who comes first, so both pages may lose it.
    def lose_first_answer(page):
        def route_socket(route) -> None:
            server = route.connect_to_server()

            def from_server(message) -> None:
                event = json.loads(message)
                if not lost and \
                        event.get("data", {}).get("description", {}).get("type") == "answer":
                    lost.append(page)
                    return
                route.send(message)

            server.on_message(from_server)
            route.on_message(server.send)
        return route_socket

    staff.route_web_socket(re.compile(r"/ws/visit/"), lose_first_answer(staff))
    guest.route_web_socket(re.compile(r"/ws/visit/"), lose_first_answer(guest))
    try:
        guest.goto(f"/in/{token}/")
        guest.goto("/mote/rum/")
        log_in(staff, "alice")
        staff.goto(f"/besok/{visit.pk}/")
        expect(guest.locator("[data-room-status]")).to_have_text("Du är med i videomötet.")
        wait_for_video(staff, timeout_ms=30_000)
        wait_for_video(guest, timeout_ms=10_000)
        assert lost, "neither page got an answer to lose"
        assert lost[0].evaluate("window.__peerConnections.length") == 2
    finally:
        close_rooms(guest, staff)


def test_a_dead_link_says_why(browser, live_server_url, visit):  # R5
    token = invite(visit, Participant.Kind.INTERPRETER, first_name="Tolk")
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.FINISHED)
    page = new_page(browser, live_server_url)
    try:
        page.goto(f"/in/{token}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Länken fungerar inte")
        expect(page.get_by_role("alert")).to_have_text(
            "Besöket är avslutat och länken gäller inte längre.")
    finally:
        page.context.close()


class Daphne:
    """A server of our own on a fixed port, so a test can kill it and start it again."""

    def __init__(self, tmp_path) -> None:
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.log = tmp_path / "daphne.log"
        self.process = None

    def start(self) -> None:
        env = daphne_env()
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
                 "videovisit.asgi:application"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        for _ in range(150):
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("daphne did not start:\n" + self.log.read_text())

    def crash(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def test_the_meeting_survives_a_server_restart(browser, tmp_path, clinician, visit):  # R2, R4
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_LIVE)
    token = invite(visit, Participant.Kind.INTERPRETER, first_name="Tolk")
    server = Daphne(tmp_path)
    server.start()
    guest = new_page(browser, server.url)
    staff = new_page(browser, server.url)
    try:
        guest.goto(f"/in/{token}/")
        guest.goto("/mote/rum/")
        log_in(staff, "alice")
        staff.goto(f"/besok/{visit.pk}/")
        status = guest.locator("[data-room-status]")
        expect(status).to_have_text("Vårdpersonalen släpper in dig snart.")
        staff.get_by_role("button", name="Släpp in Tolk Digital").click()
        expect(status).to_have_text("Du är med i videomötet.")
        wait_for_video(guest)
        peer_connections = guest.evaluate("window.__peerConnections.length")

        server.crash()
        expect(status).to_contain_text("Anslutningen bröts")
        server.start()
        # Let in before the restart: back in the meeting, not in the waiting room.
        expect(status).to_have_text("Du är med i videomötet.", timeout=20_000)

        # The same peer connection carries on and keeps decoding frames.
        frames = sum(s["frames"] for s in wait_for_video(guest))
        guest.wait_for_timeout(1000)
        assert sum(s["frames"] for s in wait_for_video(guest)) > frames
        assert guest.evaluate("window.__peerConnections.length") == peer_connections
        assert RoomPresence.objects.filter(visit=visit).count() == 2
    finally:
        close_rooms(guest, staff)
        if server.process and server.process.poll() is None:
            # Open sockets can keep daphne from stopping on SIGTERM; never leave it behind.
            server.crash()
