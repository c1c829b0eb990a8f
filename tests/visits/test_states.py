"""V3: the visit's states, on the model and under concurrency on PostgreSQL."""

import threading

import pytest
from django.db import connection

from tests.visits.factories import VideoVisitFactory
from visits.models import IllegalTransition, VideoVisit
from visits.services import JournalingUnanswered, visit_finish, visit_transition

S = VideoVisit.State


def test_the_happy_path_runs_scheduled_to_finished():
    visit = VideoVisitFactory.build()
    for action, state in [("receive", S.RECEIVED), ("start", S.STARTED),
                          ("start_meeting", S.VIDEO_LIVE), ("end_meeting", S.VIDEO_ENDED),
                          ("finish", S.FINISHED)]:
        visit.transition(action)
        assert visit.state == state
    assert visit.received_at <= visit.started_at <= visit.meeting_started_at
    assert visit.meeting_ended_at <= visit.finished_at


@pytest.mark.parametrize(("state", "action"), [
    (S.SCHEDULED, "start"), (S.SCHEDULED, "start_meeting"), (S.RECEIVED, "start_meeting"),
    (S.STARTED, "end_meeting"), (S.VIDEO_LIVE, "finish"), (S.FINISHED, "receive"),
    (S.CANCELLED, "receive"), (S.STARTED, "cancel"), (S.FINISHED, "cancel"),
])
def test_any_other_move_is_refused_with_a_clear_message(state, action):
    visit = VideoVisitFactory.build(state=state)
    with pytest.raises(IllegalTransition) as refused:
        visit.transition(action)
    assert visit.state == state
    assert "Det går inte att" in refused.value.message
    assert visit.get_state_display().lower() in refused.value.message


@pytest.mark.django_db
def test_finishing_with_notes_asks_about_vas_and_remembers_the_answer(clinician):  # V2, V5
    visit = VideoVisitFactory(state=S.VIDEO_ENDED, notes="Samtal om medicinering.",
                              owner=clinician)
    with pytest.raises(JournalingUnanswered):
        visit_finish(visit=visit, user=clinician, journaled=None)
    visit = visit_finish(visit=visit, user=clinician, journaled=False)
    assert visit.state == S.FINISHED
    assert VideoVisit.objects.unjournaled().get() == visit


@pytest.mark.django_db(transaction=True)
def test_two_staff_pressing_at_once_move_the_visit_once(clinician):  # V3, row lock
    assert connection.vendor == "postgresql"
    visit = VideoVisitFactory(state=S.STARTED, owner=clinician)
    barrier = threading.Barrier(2)
    outcomes = []

    def press() -> None:
        from django.db import connections
        try:
            barrier.wait()
            visit_transition(visit=visit, action="start_meeting", user=clinician)
            outcomes.append("moved")
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(outcomes) == ["moved", "refused"]
    visit.refresh_from_db()
    assert visit.state == S.VIDEO_LIVE
