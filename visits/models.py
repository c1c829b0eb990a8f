"""The video visit and its states (DESIGN V1–V5)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IllegalTransition(Exception):
    """A state change the visit's current state does not allow (V3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VideoVisitQuerySet(models.QuerySet):
    def for_staff(self, user) -> VideoVisitQuerySet:
        """Visits of the user's care units, and visits the user takes part in (S2)."""
        return self.filter(
            Q(care_unit__in=user.care_units.all()) | Q(owner=user) | Q(staff=user)
        ).distinct()

    def involving(self, user) -> VideoVisitQuerySet:
        """Of these visits, those the user owns or takes part in as Sjukvårdspersonal (V1).

        Filter first, then call this, then add ordering and select_related: the
        filters go inside both halves of a union, so each half runs on an index of
        its own and the cost follows the user's visits, not the table's size.
        """
        owned = self.filter(owner=user).order_by().values("pk")
        as_staff = self.filter(pk__in=self._staffed_by(user)).order_by().values("pk")
        return self.model.objects.filter(pk__in=owned.union(as_staff))

    def active(self) -> VideoVisitQuerySet:
        """Visits that hold their time: all but the cancelled (B6)."""
        return self.exclude(state=VideoVisit.State.CANCELLED)

    def on(self, day: datetime.date) -> VideoVisitQuerySet:
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        return self.filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1))

    def with_waiting(self) -> VideoVisitQuerySet:
        """Annotate `waiting`: how many participants wait in the room's waiting room (R1)."""
        waiting = (RoomPresence.objects.waiting().filter(visit=models.OuterRef("pk"))
                   .values("visit").annotate(n=models.Count("pk")).values("n"))
        return self.annotate(waiting=Coalesce(
            models.Subquery(waiting, output_field=models.IntegerField()), 0))

    def unjournaled(self) -> VideoVisitQuerySet:
        """Visits with notes not yet confirmed as recorded in VAS (V5)."""
        return self.exclude(notes="").filter(notes_journaled_at__isnull=True)

    def unjournaled_of(self, user) -> VideoVisitQuerySet:
        """The user's visits, owned or staffed, with notes not yet recorded in VAS (V5).

        Such visits are few and all in a partial index, so one OR reads little, and
        it costs less to build than involving()'s union.
        """
        return self.unjournaled().filter(Q(owner=user) | Q(pk__in=self._staffed_by(user)))

    def _staffed_by(self, user) -> models.QuerySet:
        """The ids of the visits the user takes part in as Sjukvårdspersonal."""
        return self.model.staff.through.objects.filter(user=user).values("videovisit_id")


class VideoVisit(models.Model):
    """A scheduled video visit, run from the visit page (besökssidan)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Bokad")
        RECEIVED = "received", _("Mottagen")
        STARTED = "started", _("Påbörjad")
        VIDEO_LIVE = "video_live", _("Videomöte pågår")
        VIDEO_ENDED = "video_ended", _("Videomöte avslutat")
        FINISHED = "finished", _("Avslutad")
        CANCELLED = "cancelled", _("Avbokad")

    care_unit = models.ForeignKey("accounts.CareUnit", verbose_name=_("vårdenhet"),
                                  on_delete=models.PROTECT, related_name="video_visits")
    patient = models.ForeignKey("patients.Patient", verbose_name=_("patient"),
                                on_delete=models.PROTECT, related_name="video_visits")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ansvarig"),
                              on_delete=models.PROTECT, related_name="owned_visits")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("sjukvårdspersonal"),
                                   related_name="staffed_visits", blank=True)
    # For a child under 13: the guardian staff call first, and the one who gets the link
    # and identifies with e-ID (P5, P7).
    primary_contact = models.ForeignKey("patients.Guardian", verbose_name=_("primär kontakt"),
                                        on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    agent = models.ForeignKey("patients.Guardian", verbose_name=_("ombud"),
                              on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    starts_at = models.DateTimeField(_("starttid"))
    ends_at = models.DateTimeField(_("sluttid"))
    reason = models.CharField(_("sökorsak"), max_length=100, blank=True)
    state = models.CharField(_("status"), max_length=20, choices=State, default=State.SCHEDULED)
    notes = models.TextField(_("anteckningar"), blank=True)
    notes_journaled_at = models.DateTimeField(_("journalfört i VAS"), null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    meeting_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    meeting_ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VideoVisitQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("videobesök")
        verbose_name_plural = _("videobesök")
        indexes = [
            models.Index(fields=["owner", "starts_at"]),
            models.Index(fields=["care_unit", "starts_at"]),
            # The start page's "not journaled" list, without reading every visit (V5).
            models.Index(fields=["owner"], name="visits_unjournaled_by_owner",
                         condition=Q(notes_journaled_at__isnull=True) & ~Q(notes="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="visits_videovisit_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.patient.list_name}"

    # The only moves V3 allows: action -> (states it may start from, state it leads to,
    # the timestamp field it sets).
    TRANSITIONS = {
        "receive": ({State.SCHEDULED}, State.RECEIVED, "received_at"),
        "start": ({State.RECEIVED}, State.STARTED, "started_at"),
        "start_meeting": ({State.STARTED}, State.VIDEO_LIVE, "meeting_started_at"),
        "end_meeting": ({State.VIDEO_LIVE}, State.VIDEO_ENDED, "meeting_ended_at"),
        "finish": ({State.STARTED, State.VIDEO_ENDED}, State.FINISHED, "finished_at"),
        "cancel": ({State.SCHEDULED, State.RECEIVED}, State.CANCELLED, "cancelled_at"),
    }

    def allows(self, action: str) -> bool:
        return self.state in self.TRANSITIONS[action][0]

    def transition(self, action: str) -> None:
        """Move to the state `action` leads to, or raise IllegalTransition (V3)."""
        allowed_from, target, stamp = self.TRANSITIONS[action]
        if self.state not in allowed_from:
            raise IllegalTransition(str(_(
                "Det går inte att %(action)s när besöket har status %(state)s.")
                % {"action": ACTION_LABELS[action].lower(), "state": self.get_state_display()
                   .lower()}))
        self.state = target
        setattr(self, stamp, timezone.now())

    @property
    def failed_messages(self):
        """Invitations and notices that did not get through, for "Skicka igen" (N1)."""
        return self.messages.filter(status="failed").order_by("created_at")

    @property
    def contacts(self) -> list[tuple[str, object, object]]:
        """The child's primary contact and agent, as the visit page lists them, each with
        the contact details the visit's care unit keeps for them (its SMS go there)."""
        return [(label, guardian, guardian.contact_at(self.care_unit)) for label, guardian in
                ((_("Primär kontakt"), self.primary_contact), (_("Ombud"), self.agent))
                if guardian is not None]

    @property
    def is_for_child(self) -> bool:
        """The patient is under 13 on the visit's date: a guardian acts as agent (P5, P7)."""
        return self.patient.is_child_on(timezone.localdate(self.starts_at))

    @property
    def contacts_changeable(self) -> bool:
        """Byt ombud / primär kontakt: a child's visit that is not over (P5)."""
        return self.is_for_child and self.state not in {self.State.FINISHED,
                                                        self.State.CANCELLED}

    @property
    def has_unjournaled_notes(self) -> bool:
        return bool(self.notes) and self.notes_journaled_at is None


ACTION_LABELS = {
    "receive": _("Ta emot"),
    "start": _("Starta besök"),
    "start_meeting": _("Starta videomöte"),
    "end_meeting": _("Avsluta videomöte"),
    "finish": _("Avsluta besök"),
    "cancel": _("Avboka"),
}


class RoomPresenceQuerySet(models.QuerySet):
    def fresh(self) -> RoomPresenceQuerySet:
        """Presences whose socket was heard from lately; a crashed server's rows age out (R4)."""
        return self.filter(seen_at__gte=timezone.now() - settings.ROOM_PRESENCE_TTL)

    def waiting(self) -> RoomPresenceQuerySet:
        """Participants waiting to be let in: for the meeting to start, or, once it is
        live, for staff to let them in (R1, R2)."""
        return self.fresh().filter(status=RoomPresence.Status.WAITING, participant__isnull=False)


class RoomPresence(models.Model):
    """Who has the visit's video room open, and whether they wait or take part (R1, R4).

    One row per person (`peer`: "p<participant id>" or "s<user id>"), kept in the database
    so that every server process sees it and it survives a restart. `channel_name` is the
    socket's address on the channel layer; signalling is sent to it and nowhere else.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Väntar")
        IN_MEETING = "in_meeting", _("I mötet")

    visit = models.ForeignKey(VideoVisit, on_delete=models.CASCADE, related_name="presences")
    peer = models.CharField(max_length=24)
    participant = models.ForeignKey("guests.Participant", on_delete=models.CASCADE,
                                    null=True, blank=True, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             null=True, blank=True, related_name="room_presences")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100)
    channel_name = models.CharField(max_length=200)
    connection = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status, default=Status.WAITING)
    joined_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    objects = RoomPresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("närvaro i videorum")
        verbose_name_plural = _("närvaro i videorum")
        constraints = [
            models.UniqueConstraint(fields=["visit", "peer"], name="visits_one_presence_per_peer"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"
