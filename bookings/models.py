"""The scheduling side (VAS): reference data, clinicians' schedules and bookings."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContactType(models.Model):
    """A kontakttyp. Only video contact types (DiVL) create video visits (DESIGN B1)."""

    code = models.CharField(_("kod"), max_length=20, unique=True)
    name = models.CharField(_("namn"), max_length=100)
    is_video = models.BooleanField(
        _("videokontakt"), default=False, help_text=_("Bokningar skapar videobesök.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("kontakttyp")
        verbose_name_plural = _("kontakttyper")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class ScheduleActivity(models.Model):
    """A schemaaktivitet. "Medverkan" and others are never published on 1177 (DESIGN B3, B8)."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    published_on_1177 = models.BooleanField(_("publiceras på 1177.se"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("schemaaktivitet")
        verbose_name_plural = _("schemaaktiviteter")

    def __str__(self) -> str:
        return self.name


class VisitReason(models.Model):
    """A besöksorsak, e.g. "ASAM – Anhörigsamtal" (DESIGN B4)."""

    code = models.CharField(_("kod"), max_length=20, unique=True)
    name = models.CharField(_("namn"), max_length=100)
    is_relative_call = models.BooleanField(
        _("anhörigsamtal"),
        default=False,
        help_text=_("Samtal med anhörig utan patienten; visas aldrig för patienten."),
    )
    self_checkin_exempt = models.BooleanField(
        _("undantagen från mobil självincheckning"), default=False
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("besöksorsak")
        verbose_name_plural = _("besöksorsaker")

    def __str__(self) -> str:
        return self.name


class KallelseTemplate(models.Model):
    """A kallelse template: the appointment notice printed or saved to 1177 (DESIGN B2)."""

    class Audience(models.TextChoices):
        ADULT = "adult", _("Vuxen")
        CHILD = "child", _("Barn")

    name = models.CharField(_("namn"), max_length=100, unique=True)
    audience = models.CharField(_("målgrupp"), max_length=10, choices=Audience)
    body = models.TextField(
        _("text"),
        help_text=_("Instruktioner till patienten: hur man legitimerar sig, testar utrustningen "
                    "och avbokar."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kallelsemall")
        verbose_name_plural = _("kallelsemallar")

    def __str__(self) -> str:
        return self.name


class ScheduleBlockQuerySet(models.QuerySet):
    def on(self, day: datetime.date) -> ScheduleBlockQuerySet:
        return self.filter(day=day)


class ScheduleBlock(models.Model):
    """A stretch of a clinician's working hours on one day, divided into bookable slots.

    Its schemaaktivitet decides whether the times are published on 1177.se.
    """

    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("behandlare"),
                                  on_delete=models.CASCADE, related_name="schedule_blocks")
    care_unit = models.ForeignKey("accounts.CareUnit", verbose_name=_("vårdenhet"),
                                  on_delete=models.CASCADE, related_name="schedule_blocks")
    activity = models.ForeignKey(ScheduleActivity, verbose_name=_("schemaaktivitet"),
                                 on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("dag"))
    start_time = models.TimeField(_("från"))
    end_time = models.TimeField(_("till"))
    slot_minutes = models.PositiveSmallIntegerField(_("minuter per tid"), default=30)

    objects = ScheduleBlockQuerySet.as_manager()

    class Meta:
        ordering = ["day", "start_time"]
        verbose_name = _("schemablock")
        verbose_name_plural = _("schema")
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")),
                                   name="bookings_scheduleblock_ends_after_start"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5),
                                   name="bookings_scheduleblock_slot_at_least_5_min"),
            models.UniqueConstraint(fields=["clinician", "day", "start_time"],
                                    name="bookings_scheduleblock_once_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.clinician} {self.day} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def slots(self) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The block's bookable times, as aware (start, end) pairs."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.day, self.start_time, tzinfo=tz)
        end = datetime.datetime.combine(self.day, self.end_time, tzinfo=tz)
        step = datetime.timedelta(minutes=self.slot_minutes)
        result = []
        while start + step <= end:
            result.append((start, start + step))
            start += step
        return result


class BookingQuerySet(models.QuerySet):
    def active(self) -> BookingQuerySet:
        return self.filter(cancelled_at__isnull=True)

    def published(self) -> BookingQuerySet:
        """What a patient may see on 1177 and in any patient-facing feed (DESIGN B8).

        Visa webb and a published schemaaktivitet; an Anhörigsamtal never, whatever
        its flags say (B4), nor a Medverkan teambesök (B3).
        """
        return self.active().filter(
            visa_webb=True, schedule_activity__published_on_1177=True,
        ).exclude(visit_reason__is_relative_call=True).exclude(
            kind__in=[Booking.Kind.TEAM_PARTICIPANT, Booking.Kind.RELATIVE_CALL])

    def self_checkin(self) -> BookingQuerySet:
        """What a patient may check in to by mobile (mobil självincheckning): published
        bookings (B8) whose besöksorsak is not exempt from it; ASAM is (B4)."""
        return self.published().exclude(visit_reason__self_checkin_exempt=True)

    def for_staff(self, user) -> BookingQuerySet:
        """Bookings of the user's care units (DESIGN S2)."""
        return self.filter(care_unit__in=user.care_units.all())

    def overlapping(self, start: datetime.datetime, end: datetime.datetime) -> BookingQuerySet:
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class Booking(models.Model):
    """A booking in the clinician's schedule (VAS).

    kontakttyp DiVL makes it a video booking, which creates its video visit (B1).
    A team visit is the owner's "Teambesök" plus one "Medverkan teambesök" per
    participating clinician, all sharing one video visit (B3). An Anhörigsamtal
    is booked on the patient but its video visit is on the relative (B4). A
    gruppbesök has several patients and an external meeting link (B5).
    The kallelse is the notice to the patient, printed or saved to 1177 (B2).
    """

    class Kind(models.TextChoices):
        SINGLE = "single", _("Videobesök")
        TEAM_OWNER = "team_owner", _("Teambesök")
        TEAM_PARTICIPANT = "team_participant", _("Medverkan teambesök")
        RELATIVE_CALL = "relative_call", _("Anhörigsamtal")
        GROUP = "group", _("Gruppbesök")

    class Delivery(models.TextChoices):
        PRINT = "print", _("Skriv ut")
        SAVE = "save", _("Spara")

    care_unit = models.ForeignKey("accounts.CareUnit", verbose_name=_("vårdenhet"),
                                  on_delete=models.PROTECT, related_name="bookings")
    kind = models.CharField(_("typ"), max_length=20, choices=Kind)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("behandlare"),
                                  on_delete=models.PROTECT, related_name="bookings")
    team_owner_booking = models.ForeignKey(
        "self", verbose_name=_("teambesök"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="participations")
    patient = models.ForeignKey("patients.Patient", verbose_name=_("patient"),
                                on_delete=models.PROTECT, related_name="bookings",
                                null=True, blank=True)
    group_patients = models.ManyToManyField("patients.Patient", verbose_name=_("patienter"),
                                            related_name="group_bookings", blank=True)
    primary_contact = models.ForeignKey("patients.Guardian", verbose_name=_("primär kontakt"),
                                        on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    agent = models.ForeignKey("patients.Guardian", verbose_name=_("ombud"),
                              on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    contact_type = models.ForeignKey(ContactType, verbose_name=_("kontakttyp"),
                                     on_delete=models.PROTECT, related_name="+")
    schedule_activity = models.ForeignKey(ScheduleActivity, verbose_name=_("schemaaktivitet"),
                                          on_delete=models.PROTECT, related_name="+")
    visit_reason = models.ForeignKey(VisitReason, verbose_name=_("besöksorsak"),
                                     on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    visa_webb = models.BooleanField(_("visa webb"), default=True,
                                    help_text=_("Visas för patienten på 1177.se."))
    kallelse_template = models.ForeignKey(KallelseTemplate, verbose_name=_("kallelse"),
                                          on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    kallelse_delivery = models.CharField(_("kallelsen"), max_length=10, choices=Delivery,
                                         blank=True)
    starts_at = models.DateTimeField(_("starttid"))
    ends_at = models.DateTimeField(_("sluttid"))
    video_visit = models.ForeignKey("visits.VideoVisit", verbose_name=_("videobesök"),
                                    on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="bookings")
    meeting_url = models.URLField(_("möteslänk"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("bokad av"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("bokad"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("avbokad"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("bokning")
        verbose_name_plural = _("bokningar")
        indexes = [models.Index(fields=["clinician", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="bookings_booking_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(kind="group") | Q(patient__isnull=True),
                name="bookings_booking_group_has_no_single_patient"),
            models.CheckConstraint(
                condition=Q(kind="group") | Q(patient__isnull=False),
                name="bookings_booking_has_patient"),
            # The clinician's overlap rule (B6) is an exclusion constraint that only
            # PostgreSQL has; migration 0003 adds it there.
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.get_kind_display()}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    @property
    def is_relative_call(self) -> bool:
        return self.kind == self.Kind.RELATIVE_CALL
