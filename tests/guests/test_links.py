"""G4–G6: participants, their personal links and what the invitation says."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guests.models import InvitationLink, Participant
from guests.services import (
    LinkProblem,
    hash_token,
    link_current,
    link_issue,
    link_resolve,
    participant_add,
    participant_remove,
    removal_notice_send,
)
from integrations.delivery import body_to_send
from integrations.errors import PermanentSendError
from integrations.models import OutboxMessage
from integrations.tasks import send_outbox_message
from tests.visits.factories import VideoVisitFactory
from visits.models import VideoVisit
from visits.services import visit_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(care_unit, clinician):
    care_unit.name = "Beroendemottagningen"
    care_unit.name_is_revealing = True
    care_unit.save()
    return VideoVisitFactory(care_unit=care_unit, owner=clinician, reason="Alkoholberoende")


def add_relative(visit, **kwargs):
    fields = {"kind": Participant.Kind.RELATIVE, "first_name": "Margareta", "last_name": "Ek",
              "channel": Participant.Channel.SMS, "mobile": "+46701740608"} | kwargs
    return participant_add(visit=visit, **fields)


def test_a_link_has_256_random_bits_and_only_its_hash_is_stored(visit):  # G5
    participant, token = add_relative(visit)
    assert len(token) >= 43  # 32 bytes, URL-safe base64
    link = InvitationLink.objects.get()
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert token not in link.nonce  # the token needs the SECRET_KEY besides the row
    assert link_resolve(token) == participant


def test_links_hold_while_the_secret_key_is_rotated_apart_from_the_link_secret(
        visit, settings):  # G5
    settings.LINK_SECRET = "the-link-secret"
    participant, token = add_relative(visit)
    message = OutboxMessage.objects.get()
    settings.SECRET_KEY = "a-rotated-secret-key"
    assert link_current(participant=participant) == token
    assert token in body_to_send(message)  # the invitation waiting in the outbox
    settings.LINK_SECRET = "another-link-secret"  # the row alone gives no link
    with pytest.raises(ValidationError):
        link_current(participant=participant)


def test_the_invitation_says_only_when_and_the_link(visit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        participant, token = add_relative(visit)  # G4, G6
    message = OutboxMessage.objects.get()
    assert message.channel == "sms" and message.recipient == "+46701740608"
    assert token not in message.body  # stored with a placeholder, never the live link
    sent = body_to_send(message)
    assert reverse("guests:redeem", args=[token]) in sent
    assert "videomöte" in sent
    for secret in [visit.patient.personnummer, visit.patient.personnummer[2:8],
                   visit.reason, visit.care_unit.name, visit.patient.last_name]:
        assert secret not in sent, secret
    assert not re.search(r"\d{6}[-+]?\d{4}", sent.replace(token, ""))


def test_a_message_for_a_replaced_link_is_refused_not_sent(visit):  # G5, N1
    participant, _token = add_relative(visit)
    message = OutboxMessage.objects.get()
    link_issue(participant=participant)
    with pytest.raises(PermanentSendError) as refused:
        body_to_send(message)
    assert "Ny länk" in str(refused.value)


def test_an_email_guest_gets_an_email(visit):  # G4
    add_relative(visit, channel=Participant.Channel.EMAIL, mobile="", email="m.ek@example.se")
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient) == ("email", "m.ek@example.se")
    assert message.subject == "Inbjudan till videomöte"


def test_a_copied_link_sends_nothing(visit):  # G3
    _participant, token = add_relative(visit, channel=Participant.Channel.NONE, mobile="")
    assert not OutboxMessage.objects.exists()
    assert link_resolve(token)


def test_the_channel_needs_its_address(visit):
    with pytest.raises(ValidationError) as error:
        add_relative(visit, mobile="")
    assert "mobilnummer" in error.value.message_dict["mobile"][0]
    assert not Participant.objects.exists()


def test_patient_and_agent_need_a_personnummer_and_come_once(visit):  # G4, P5
    with pytest.raises(ValidationError):
        add_relative(visit, kind=Participant.Kind.AGENT)
    add_relative(visit, kind=Participant.Kind.AGENT, personnummer="198409219840")
    with pytest.raises(ValidationError) as error:
        add_relative(visit, kind=Participant.Kind.AGENT, personnummer="198301309855")
    assert "redan" in error.value.messages[0]


def test_removing_a_participant_revokes_the_link(visit):  # G5
    participant, token = add_relative(visit)
    participant_remove(participant=participant)
    with pytest.raises(LinkProblem) as problem:
        link_resolve(token)
    assert problem.value.code == "revoked"


def removal_notices() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(idempotency_key__startswith="removed:"))


def test_a_removed_guest_is_told_once_that_the_link_stopped(visit):  # G4, G6, N1
    participant, token = add_relative(visit)
    participant_remove(participant=participant)
    [notice] = removal_notices()
    assert (notice.channel, notice.recipient, notice.visit) == ("sms", "+46701740608", visit)
    start = timezone.localtime(visit.starts_at)
    assert notice.body.startswith("Din länk till videomötet ")
    assert f"kl. {start:%H.%M} gäller inte längre" in notice.body
    assert "Kontakta mottagningen om du har frågor." in notice.body
    for secret in [visit.patient.personnummer, visit.patient.personnummer[2:8],
                   visit.reason, visit.care_unit.name, visit.patient.last_name, token]:
        assert secret not in notice.body, secret
    assert not re.search(r"\d{6}[-+]?\d{4}", notice.body)
    send_outbox_message(notice.pk)
    notice.refresh_from_db()
    assert notice.status == OutboxMessage.Status.SENT
    # Removed once, told once: a repeated removal or notice writes nothing new.
    participant_remove(participant=participant)
    removal_notice_send(participant=participant)
    assert removal_notices() == [notice]


def test_a_removed_email_guest_is_told_by_email(visit):  # G4, G6
    participant, _token = add_relative(visit, channel=Participant.Channel.EMAIL, mobile="",
                                       email="m.ek@example.se")
    participant_remove(participant=participant)
    [notice] = removal_notices()
    assert (notice.channel, notice.recipient) == ("email", "m.ek@example.se")
    assert notice.subject == "Länken till videomötet gäller inte längre"
    assert "gäller inte längre" in notice.body and visit.care_unit.name not in notice.body


@pytest.mark.parametrize("fields", [{"channel": Participant.Channel.NONE, "mobile": ""},
                                    {"send": False}], ids=["copied", "never-sent"])
def test_a_removed_guest_who_was_not_sent_the_link_is_sent_nothing(visit, fields):  # G3
    participant, _token = add_relative(visit, **fields)
    participant_remove(participant=participant)
    assert not OutboxMessage.objects.exists()


def test_a_removal_that_rolls_back_sends_nothing(visit):  # N1
    participant, token = add_relative(visit)
    with pytest.raises(RuntimeError), transaction.atomic():
        participant_remove(participant=participant)
        raise RuntimeError("the request failed after the removal")
    assert removal_notices() == []
    assert link_resolve(token) == participant


def test_a_guest_removed_from_a_cancelled_visit_is_not_told_twice(visit, clinician):  # B7
    participant, _token = add_relative(visit)
    visit_cancel(visit=visit, user=clinician)
    participant_remove(participant=participant)
    assert removal_notices() == []
    assert [m.body.split(" ", 1)[0] for m in OutboxMessage.objects.order_by("pk")] == [
        "Du", "Videomötet"]  # the invitation, then the cancellation


def test_a_guest_removed_after_the_visit_is_over_is_not_told(visit, settings):  # G5
    finished, _token = add_relative(visit)
    expired, _token = add_relative(visit, first_name="Per", mobile="+46701740609")
    settings.INVITATION_GRACE = datetime.timedelta(minutes=-60)  # every link has run out
    participant_remove(participant=expired)
    settings.INVITATION_GRACE = datetime.timedelta(hours=2)
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.FINISHED)
    participant_remove(participant=finished)
    assert removal_notices() == []


def test_a_new_link_replaces_the_old_one(visit):  # G5
    participant, old = add_relative(visit, channel=Participant.Channel.NONE, mobile="")
    new = link_issue(participant=participant)
    assert link_resolve(new) == participant
    with pytest.raises(LinkProblem):
        link_resolve(old)


def test_the_current_link_can_be_given_again_without_replacing_it(visit):  # G3, G5
    participant, token = add_relative(visit, channel=Participant.Channel.NONE, mobile="")
    assert link_current(participant=participant) == token
    assert link_resolve(token) == participant  # still holds
    new = link_issue(participant=participant)
    assert link_current(participant=participant) == new


def test_a_link_kept_only_as_a_hash_cannot_be_given_again(visit):  # G5
    participant, _token = add_relative(visit, channel=Participant.Channel.NONE, mobile="")
    participant.links.update(nonce="")  # as links were stored before nonces
    with pytest.raises(ValidationError, match="Ny länk"):
        link_current(participant=participant)


def test_a_removed_participants_link_is_not_given_again(visit):  # G5
    participant, _token = add_relative(visit)
    participant_remove(participant=participant)
    with pytest.raises(ValidationError, match="ingen länk som gäller"):
        link_current(participant=participant)


@pytest.mark.parametrize(("change", "code"), [
    ({"state": VideoVisit.State.FINISHED}, "finished"),
    ({"state": VideoVisit.State.CANCELLED}, "cancelled"),
])
def test_a_link_stops_when_the_visit_is_over(visit, change, code):  # G5, R5
    _participant, token = add_relative(visit)
    VideoVisit.objects.filter(pk=visit.pk).update(**change)
    with pytest.raises(LinkProblem) as problem:
        link_resolve(token)
    assert problem.value.code == code


def test_a_cancelled_visits_link_says_cancelled_not_removed(visit, clinician):  # B7, G5
    _participant, token = add_relative(visit)
    visit_cancel(visit=visit, user=clinician)
    with pytest.raises(LinkProblem) as problem:
        link_resolve(token)
    assert problem.value.code == "cancelled"


def test_a_link_expires_after_the_visit_and_its_grace(visit, settings):  # G5
    _participant, token = add_relative(visit)
    settings.INVITATION_GRACE = datetime.timedelta(minutes=30)
    now = timezone.now()
    VideoVisit.objects.filter(pk=visit.pk).update(
        starts_at=now - datetime.timedelta(hours=2), ends_at=now - datetime.timedelta(minutes=31))
    with pytest.raises(LinkProblem) as problem:
        link_resolve(token)
    assert problem.value.code == "expired"


def test_opening_the_link_moves_to_a_page_without_the_token(client, visit):  # G5
    _participant, token = add_relative(visit)
    response = client.get(reverse("guests:redeem", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("guests:join")
    page = client.get(response["Location"])
    content = page.content.decode()
    assert "Margareta Ek" in content and token not in content
    assert visit.reason not in content and visit.care_unit.name not in content


def test_a_dead_link_says_why_and_whom_to_call(client, visit):
    response = client.get(reverse("guests:redeem", args=["x" * 43]))
    assert response.status_code == 404
    content = response.content.decode()
    assert "Länken finns inte" in content and "Ring mottagningen som bjöd in dig" in content


def test_a_link_that_stopped_gives_the_units_number_but_not_its_name(client, visit):
    visit.care_unit.phone = "+46907850000"
    visit.care_unit.save()
    participant, token = add_relative(visit)
    participant_remove(participant=participant)
    response = client.get(reverse("guests:redeem", args=[token]))
    assert response.status_code == 410
    content = response.content.decode()
    assert "du har tagits bort från mötet" in content
    assert 'Ring mottagningen på <a href="tel:+46907850000">090-785 00 00</a>' in content
    assert visit.care_unit.name not in content  # G6: the name may be revealing


def test_opening_links_is_rate_limited_per_address(client, visit, settings):  # G5
    import secrets

    settings.INVITATION_REDEEM_RATE = "3/m"
    # A fresh documentation address each run: the counters live in Redis.
    # (IPv6 counts per /64 network.)
    address = {"REMOTE_ADDR": f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"}
    for _ in range(3):
        assert client.get(reverse("guests:redeem", args=["y" * 43]), **address
                          ).status_code == 404
    _participant, token = add_relative(visit)
    response = client.get(reverse("guests:redeem", args=[token]), **address)
    assert response.status_code == 429
    assert "För många försök" in response.content.decode()
    other = {"REMOTE_ADDR": f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::2"}
    assert client.get(reverse("guests:redeem", args=[token]), **other).status_code == 302


def test_staff_see_that_a_link_was_opened_in_a_browser_not_by_a_scanner(client, visit,
                                                                          clinician):
    _participant, token = add_relative(visit)
    staff = Client()
    staff.force_login(clinician)
    page = reverse("visits:detail", args=[visit.pk])
    assert "Länken öppnad" not in staff.get(page).content.decode()
    # A link scanner fetches the address and follows the redirect, but runs no script.
    invitation = client.get(reverse("guests:redeem", args=[token]), follow=True)
    assert "Inbjudan till videomöte" in invitation.content.decode()
    assert "Länken öppnad" not in staff.get(page).content.decode()
    # The page in a browser says it was shown.
    assert client.post(reverse("guests:opened")).status_code == 204
    assert "Länken öppnad" in staff.get(page).content.decode()


def test_only_a_join_session_can_mark_a_link_opened(client):
    response = client.post(reverse("guests:opened"))
    assert response.status_code == 410
    assert not InvitationLink.objects.filter(redeemed_at__isnull=False).exists()


def test_link_tokens_never_reach_a_log_line(client, visit, settings, caplog):  # G5
    import logging

    from videovisit.logging import RedactLinkTokens

    settings.INVITATION_REDEEM_RATE = "0/m"  # every opening is refused and logged
    _participant, token = add_relative(visit)
    with caplog.at_level(logging.WARNING):
        client.get(reverse("guests:redeem", args=[token]))
    records = [r for r in caplog.records if "/in/" in r.getMessage()]
    assert records, "django.request logs the refused request"
    for record in records:
        RedactLinkTokens().filter(record)
        assert token not in record.getMessage()


@pytest.mark.parametrize(("remote", "forwarded", "proxies", "counted_as"), [
    ("203.0.113.9", "", [], "203.0.113.9"),
    ("203.0.113.9", "198.51.100.7", [], "203.0.113.9"),  # no trusted proxy: header ignored
    ("192.0.2.2", "6.6.6.6, 198.51.100.7", ["192.0.2.0/24"], "198.51.100.7"),  # forged left
    ("2001:db8:1:2::5", "", [], "2001:db8:1:2::/64"),
])
def test_the_rate_limit_counts_the_real_client(rf, settings, remote, forwarded, proxies,
                                               counted_as):
    from guests.views import client_address

    settings.TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == counted_as
