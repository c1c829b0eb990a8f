"""Participants and their personal links (DESIGN G1–G6)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guests.models import InterpreterAgency, InvitationLink, Participant
from integrations.models import MessageTemplate, OutboxMessage
from integrations.services import OUTBOX_LINK_PLACEHOLDER, outbox_enqueue
from patients.language import in_patient_language
from visits import realtime
from visits.models import RoomPresence, VideoVisit

# An invitation's outbox key is "invitation:<participant>:<link>" (invitation_send).
INVITATION_KEY = "invitation"
# 32 random bytes: 256 bits, twice what G5 asks for.
TOKEN_BYTES = 32
# Stands for the personal link in a stored message; the outbox puts the link in
# only as it sends (integrations.delivery).
LINK_PLACEHOLDER = OUTBOX_LINK_PLACEHOLDER

# What an invitation says when no template is kept in admin. Only that there is a
# video meeting, when, and the link: no personnummer, reason or unit (G6).
DEFAULT_TEMPLATES = {
    "inbjudan-sms": ("", "Du är inbjuden till ett videomöte {{ start }}. "
                         "Öppna länken en stund innan: {{ link }}"),
    "avbokning-sms": ("", "Videomötet {{ start }} är avbokat. Länken du fått gäller inte "
                          "längre."),
    "avbokning-epost": ("Videomötet är avbokat",
                        "Hej!\n\nVideomötet {{ start }} är avbokat, och länken du fått "
                        "gäller inte längre.\n\nHar du frågor, kontakta mottagningen."),
    "inbjudan-epost": ("Inbjudan till videomöte",
                       "Hej!\n\nDu är inbjuden till ett videomöte {{ start }}.\n\n"
                       "Öppna länken en stund innan för att ansluta: {{ link }}\n\n"
                       "Länken är personlig. Dela den inte med någon annan."),
    "borttagen-sms": ("", "Din länk till videomötet {{ start }} gäller inte längre. "
                          "Kontakta mottagningen om du har frågor."),
    "borttagen-epost": ("Länken till videomötet gäller inte längre",
                        "Hej!\n\nDin länk till videomötet {{ start }} gäller inte längre.\n\n"
                        "Har du frågor, kontakta mottagningen."),
}


class LinkProblem(Exception):
    """Why a link does not open the room, in words for the person holding it."""

    MESSAGES = {
        "unknown": gettext_lazy("Länken finns inte. Kontrollera att du har kopierat hela "
                                "länken, eller kontakta mottagningen som bjöd in dig."),
        "revoked": gettext_lazy("Länken gäller inte längre: du har tagits bort från mötet "
                                "eller fått en ny länk. Kontakta mottagningen som bjöd in dig."),
        "cancelled": gettext_lazy("Besöket är avbokat. Kontakta mottagningen om du har frågor."),
        "finished": gettext_lazy("Besöket är avslutat och länken gäller inte längre."),
        "expired": gettext_lazy("Länken har gått ut eftersom besökstiden är slut. Kontakta "
                                "mottagningen om du behöver en ny tid."),
        "too_many": gettext_lazy("För många försök att öppna länkar härifrån. Vänta några "
                                 "minuter och öppna sedan länken igen."),
    }

    def __init__(self, code: str, *, visit: VideoVisit | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = str(self.MESSAGES[code])
        # Whom to call: the number of the unit that sent the link, when it is known.
        self.phone = visit.care_unit.phone_display if visit is not None else ""
        self.phone_uri = visit.care_unit.phone if visit is not None else ""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(link: InvitationLink) -> str:
    """The link's token: 256 bits derived from its random nonce and the LINK_SECRET."""
    digest = hmac.new(settings.LINK_SECRET.encode(), f"invitation:{link.nonce}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_url(token: str) -> str:
    """The absolute address of a personal link, as SMS and e-mail carry it."""
    return settings.SITE_URL.rstrip("/") + reverse("guests:redeem", args=[token])


@transaction.atomic
def link_issue(*, participant: Participant) -> str:
    """A new personal link for the participant; earlier links stop working (G5)."""
    Participant.objects.select_for_update(no_key=True).filter(pk=participant.pk).first()
    participant.links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    link = InvitationLink(participant=participant, nonce=secrets.token_urlsafe(TOKEN_BYTES))
    token = token_for(link)
    link.token_hash = hash_token(token)
    link.save()
    return token


def link_current(*, participant: Participant) -> str:
    """The token of the participant's link that holds now, for staff to give again
    without replacing it: a link already handed to the interpreting agency keeps
    working (G3, G5). ValidationError, in words for staff, when no link holds."""
    link = (participant.links.select_related("participant__visit__care_unit")
            .filter(revoked_at__isnull=True).order_by("-created_at").first())
    try:
        link_check(link)
    except LinkProblem as problem:
        if problem.code in {"finished", "cancelled", "expired"}:
            raise ValidationError(_("Länken gäller inte längre: besöket är avslutat eller "
                                    "avbokat, eller tiden har gått ut.")) from problem
        raise ValidationError(_("Deltagaren har ingen länk som gäller. Välj ”Ny länk”.")
                              ) from problem
    token = token_for(link)
    if not hmac.compare_digest(hash_token(token), link.token_hash):
        # A link made before tokens were derived from a nonce: only its hash is kept.
        raise ValidationError(_("Den här länken kan inte visas igen. Välj ”Ny länk”; den "
                                "gamla slutar då gälla."))
    return token


def link_resolve(token: str) -> Participant:
    """The participant a link belongs to, if it still opens the room; LinkProblem otherwise."""
    return link_check(InvitationLink.objects.select_related("participant__visit__care_unit")
                      .filter(token_hash=hash_token(token)).first())


def link_check(link: InvitationLink | None) -> Participant:
    """The link's participant if the link still opens the room; LinkProblem otherwise."""
    if link is None:
        raise LinkProblem("unknown")
    participant = link.participant
    visit = participant.visit
    # The visit's end first: cancelling also revokes every link, and the person should
    # read that the visit is cancelled, not that they were removed.
    if visit.state == VideoVisit.State.CANCELLED:
        raise LinkProblem("cancelled", visit=visit)
    if visit.state == VideoVisit.State.FINISHED:
        raise LinkProblem("finished", visit=visit)
    if link.revoked_at or participant.removed_at:
        raise LinkProblem("revoked", visit=visit)
    if timezone.now() > visit.ends_at + settings.INVITATION_GRACE:
        raise LinkProblem("expired", visit=visit)
    return participant


def link_mark_opened(link_id: int) -> None:
    """Staff see "Länken öppnad" once a person had the invitation page in a browser.

    Not when the link is merely fetched: SMS and e-mail link scanners do that. Later
    openings (another device, a closed tab) are allowed while the link holds.
    """
    InvitationLink.objects.filter(pk=link_id, redeemed_at__isnull=True).update(
        redeemed_at=timezone.now())


def _validate(participant: Participant) -> None:
    errors = {}
    if participant.channel == Participant.Channel.SMS and not participant.mobile:
        errors["mobile"] = _("Ange ett mobilnummer: länken skickas som sms.")
    if participant.channel == Participant.Channel.EMAIL and not participant.email:
        errors["email"] = _("Ange en e-postadress: länken skickas med e-post.")
    if participant.requires_eid and not participant.personnummer:
        errors["personnummer"] = _("Patient och ombud legitimerar sig med e-legitimation; "
                                   "ange personnummer.")
    if errors:
        raise ValidationError(errors)
    participant.full_clean(exclude=["visit"], validate_constraints=False)


@transaction.atomic
def participant_add(*, visit: VideoVisit, kind: str, first_name: str, last_name: str,
                    channel: str, personnummer: str = "", mobile: str = "", email: str = "",
                    agency: InterpreterAgency | None = None, admit_directly: bool = False,
                    send: bool = True) -> tuple[Participant, str]:
    """Add a participant with a personal link, and send it unless told not to (G1, G4).

    `admit_directly`: "släpps in direkt", into a live meeting without waiting (R2).

    Returns the participant and the link's token, which exists nowhere else: it is
    shown once, for "Kopiera inbjudningslänk", and sent.
    """
    # Locked, so a visit finished a moment ago, or a twin request adding the same
    # agent, is seen here rather than slipping past the checks below.
    visit = VideoVisit.objects.select_for_update(no_key=True).get(pk=visit.pk)
    if visit.state in {VideoVisit.State.FINISHED, VideoVisit.State.CANCELLED}:
        raise ValidationError(_("Besöket är avslutat eller avbokat; deltagare kan inte "
                                "läggas till."))
    if kind in {Participant.Kind.PATIENT, Participant.Kind.AGENT} and \
            visit.participants.active().filter(kind=kind).exists():
        raise ValidationError(_("Besöket har redan en %(kind)s.")
                              % {"kind": Participant.Kind(kind).label.lower()})
    participant = Participant(visit=visit, kind=kind, first_name=first_name,
                              last_name=last_name, personnummer=personnummer, mobile=mobile,
                              email=email, channel=channel, agency=agency,
                              admit_directly=admit_directly)
    _validate(participant)
    participant.save()
    token = link_issue(participant=participant)
    if send:
        invitation_send(participant=participant, token=token)
    realtime.visit_changed(visit)
    return participant, token


@transaction.atomic
def participant_remove(*, participant: Participant, replaced: bool = False) -> Participant:
    """Remove a participant: their links stop working, a live room lets them go (G5),
    and whoever was sent their link is told that it no longer works (G4, G6).

    The patient and the agent stay, unless `replaced`: the caller puts another in the
    agent's place in the same transaction (visits.services.visit_change_contacts).
    """
    participant = Participant.objects.select_for_update(no_key=True).get(pk=participant.pk)
    if participant.removed_at:
        return participant
    if not participant.is_removable and not replaced:
        # Without them nobody could open the visit; cancelling is the way out.
        raise ValidationError(_("Patienten och ombudet kan inte tas bort från besöket. "
                                "Avboka besöket om det inte ska bli av."))
    now = timezone.now()
    participant.removed_at = now
    participant.save(update_fields=["removed_at"])
    participant.links.filter(revoked_at__isnull=True).update(revoked_at=now)
    removal_notice_send(participant=participant)
    realtime.participant_removed(participant)
    realtime.visit_changed(participant.visit)
    return participant


def removal_notice_send(*, participant: Participant) -> None:
    """Queue "your link no longer works" for a removed participant who was sent their
    link, by the same channel, through the outbox (N1); worded per G6, like the
    invitation. Nothing for a link that was only copied: staff handed it on.

    Only while the link would otherwise still have opened the room: a cancelled visit
    has told everyone already (participants_notify_cancelled), and a finished or expired
    one needs no word. A participant is removed once, so the key is theirs.
    """
    visit = participant.visit
    if participant.channel == Participant.Channel.NONE:
        return
    if visit.state in {VideoVisit.State.CANCELLED, VideoVisit.State.FINISHED} or \
            timezone.now() > visit.ends_at + settings.INVITATION_GRACE:
        return
    if not OutboxMessage.objects.filter(
            idempotency_key__startswith=f"{INVITATION_KEY}:{participant.pk}:").exists():
        return  # added without sending the invitation: nobody was sent a link
    key = "borttagen-sms" if participant.channel == Participant.Channel.SMS else \
        "borttagen-epost"
    subject, body = render_invitation(key, participant=participant, link="")
    outbox_enqueue(
        channel=participant.channel,
        recipient=participant.mobile if participant.channel == "sms" else participant.email,
        subject=subject, body=body, idempotency_key=f"removed:{participant.pk}",
        visit=visit,
    )


def _waiting_in_live_meeting(participant: Participant) -> tuple[VideoVisit, Participant]:
    """The participant's visit and the participant, locked in that order (as room_enter
    takes the visit), if the meeting is live and the participant still takes part."""
    visit = VideoVisit.objects.select_for_update(no_key=True).get(pk=participant.visit_id)
    participant = Participant.objects.select_for_update(no_key=True).get(pk=participant.pk)
    if visit.state != VideoVisit.State.VIDEO_LIVE:
        raise ValidationError(_("Videomötet pågår inte. De som väntar släpps in när "
                                "videomötet startar."))
    if participant.removed_at:
        raise ValidationError(_("%(name)s är borttagen från besöket.")
                              % {"name": participant.full_name})
    return visit, participant


@transaction.atomic
def participant_admit(*, participant: Participant) -> Participant:
    """Släpp in: someone waiting goes into the live meeting, and back into it after a
    drop or a restart without waiting again (R2, R4)."""
    visit, participant = _waiting_in_live_meeting(participant)
    if participant.admitted_at is None:
        participant.admitted_at = timezone.now()
        participant.save(update_fields=["admitted_at"])
    RoomPresence.objects.filter(visit=visit, participant=participant).update(
        status=RoomPresence.Status.IN_MEETING)
    realtime.room_changed_on_commit(visit)
    return participant


@transaction.atomic
def participant_refuse(*, participant: Participant) -> Participant:
    """Neka: someone waiting is not let in and is told so in the waiting room (R2).

    Their link still holds: opening it again puts them back in the waiting room, where
    staff may let them in after all. Ta bort is what ends the link (G5).
    """
    visit, participant = _waiting_in_live_meeting(participant)
    if participant.is_admitted:
        raise ValidationError(_("%(name)s är redan insläppt i videomötet. Ta bort deltagaren "
                                "under Redigera deltagare om hen inte ska vara med.")
                              % {"name": participant.full_name})
    realtime.participant_refused(participant)
    return participant


def invitation_send(*, participant: Participant, token: str) -> None:
    """Queue the invitation by SMS or e-mail through the outbox (N1), worded per G6.

    The stored message holds a placeholder for the link; the outbox fills it in
    as it sends, and refuses if the link no longer holds (link_for_outbox).
    """
    if participant.channel == Participant.Channel.NONE:
        return
    link = participant.links.get(token_hash=hash_token(token))
    key = "inbjudan-sms" if participant.channel == Participant.Channel.SMS else "inbjudan-epost"
    subject, body = render_invitation(key, participant=participant, link=LINK_PLACEHOLDER)
    outbox_enqueue(
        channel=participant.channel,
        recipient=participant.mobile if participant.channel == "sms" else participant.email,
        subject=subject, body=body, link_ref=str(link.pk),
        idempotency_key=f"{INVITATION_KEY}:{participant.pk}:{link.pk}",
        visit=participant.visit,
    )


def link_for_outbox(link_ref: str) -> str:
    """The address an outbox message's placeholder stands for, if the link still holds."""
    link = InvitationLink.objects.select_related("participant__visit").get(pk=int(link_ref))
    link_resolve(token_for(link))  # raises LinkProblem
    return link_url(token_for(link))


def render_invitation(key: str, *, participant: Participant, link: str) -> tuple[str, str]:
    stored = MessageTemplate.objects.filter(key=key).first()
    subject, body = (stored.subject, stored.body) if stored else DEFAULT_TEMPLATES[key]
    start = timezone.localtime(participant.visit.starts_at)
    with in_patient_language(participant.visit.patient):
        when = f"{formats.date_format(start, 'j F')} kl. {start:%H.%M}"
    context = Context({"start": when, "link": link}, autoescape=False)
    return Template(subject).render(context), Template(body).render(context)


def participants_notify_moved(*, visit: VideoVisit, stamp: str) -> None:
    """The visit moved: everyone sent a link is told the new time; their links still
    hold, now until the new end (B7, G5). In the patient's language and worded per G6,
    like the invitation, whatever language the staff member's page speaks. `stamp`
    tells one move from another, so that moving back and forth is told each time."""
    start = timezone.localtime(visit.starts_at)
    with in_patient_language(visit.patient):
        when = f"{formats.date_format(start, 'l j F Y')} kl. {start:%H.%M}"
        subject = _("Videomöte flyttat")
        body = _("Ditt videomöte är flyttat till %(when)s. Använd samma länk som "
                 "tidigare.") % {"when": when}
    for participant in visit.participants.active().exclude(channel=Participant.Channel.NONE):
        outbox_enqueue(
            channel=participant.channel,
            recipient=participant.mobile if participant.channel == "sms" else participant.email,
            subject=subject, body=body, idempotency_key=f"moved:{stamp}:{participant.pk}",
            visit=visit,
        )


@transaction.atomic
def participants_notify_cancelled(*, visit: VideoVisit) -> None:
    """The visit is cancelled: links stop, unsent invitations stay unsent, and everyone
    who was sent a link is told (B7). Worded per G6, like the invitation."""
    now = timezone.now()
    InvitationLink.objects.filter(participant__visit=visit, revoked_at__isnull=True
                                  ).update(revoked_at=now)
    for participant in visit.participants.active().exclude(channel=Participant.Channel.NONE):
        key = ("avbokning-sms" if participant.channel == Participant.Channel.SMS
               else "avbokning-epost")
        subject, body = render_invitation(key, participant=participant, link="")
        outbox_enqueue(
            channel=participant.channel,
            recipient=participant.mobile if participant.channel == "sms" else participant.email,
            subject=subject, body=body, idempotency_key=f"cancelled:{participant.pk}",
            visit=visit,
        )
