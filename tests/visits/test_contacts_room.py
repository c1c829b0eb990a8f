"""A replaced agent leaves the live room at once (P5, G5), as a removed guest does."""

import pytest
from channels.db import database_sync_to_async

from guests.models import Participant
from guests.services import participant_add
from tests.visits.factories import VideoVisitFactory
from tests.visits.test_room import enter, join_cookie, live, next_message, staff_cookie
from visits import room
from visits.models import VideoVisit
from visits.services import visit_change_contacts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def visit(clinician, care_unit, child, karin):
    return VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=child,
                             primary_contact=karin, agent=karin,
                             state=VideoVisit.State.STARTED)


@pytest.fixture
def karins(visit, karin):
    return participant_add(visit=visit, kind=Participant.Kind.AGENT, first_name="Karin",
                           last_name="Berg", personnummer=karin.personnummer,
                           channel=Participant.Channel.NONE)[0]


async def test_the_old_agent_leaves_the_meeting_when_replaced(visit, clinician, karins, karin,
                                                              johan):  # P5, G1, G5
    await live(visit, clinician)
    staff = await enter(visit, await staff_cookie(clinician))
    agent = await enter(visit, await join_cookie(karins))  # identified with BankID
    state = await next_message(staff, "state")
    while f"p{karins.pk}" not in [p["id"] for p in state["peers"]]:
        state = await next_message(staff, "state")

    await database_sync_to_async(visit_change_contacts)(
        visit=visit, primary_contact=karin, agent=johan, user=clinician)

    closed = await next_message(agent, "closed")
    assert closed["code"] == room.CLOSE_REMOVED and "tagit bort" in closed["message"]
    assert (await agent.receive_output(timeout=5))["type"] == "websocket.close"
    await agent.disconnect(timeout=10)
    # Staff see her gone from the room.
    state = await next_message(staff, "state")
    while state["peers"]:
        state = await next_message(staff, "state")
    await staff.disconnect(timeout=10)
