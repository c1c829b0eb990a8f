"""Patients and their guardians (DESIGN P1–P8)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.fields import format_mobile
from patients.personnummer import Personnummer, format_pnr

# Children under this age take part through a guardian acting as agent (P5).
CHILD_AGE_LIMIT = 13
ADULT_AGE = 18


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Whole years of age on `day` (DESIGN P7: always the visit's date, never "today")."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def needs_own_mobile(age: int, *, has_eid: bool) -> bool:
    """P4: the person's own mobile gets the link; under 13 it goes to the agent instead."""
    return age >= ADULT_AGE or (age >= CHILD_AGE_LIMIT and has_eid)


class PatientQuerySet(models.QuerySet):
    def for_staff(self, user) -> PatientQuerySet:
        """Patients registered at one of the user's care units (DESIGN S2)."""
        return self.filter(care_units__in=user.care_units.all()).distinct()


class NamedPerson:
    """Name and number as staff read them, for any model with those fields."""

    first_name: str
    last_name: str
    personnummer: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def personnummer_display(self) -> str:
        return format_pnr(self.personnummer)


class Reachable:
    """A mobile number as staff read it, for any model with that field."""

    mobile: str

    @property
    def mobile_display(self) -> str:
        return format_mobile(self.mobile)


class Patient(NamedPerson, models.Model):
    """A patient as staff know them; identity comes from the population registry.

    Name, identity and address are the registry's and shared by every unit that has
    the patient; mobile and e-mail are each unit's own (PatientContact, contact_at).
    """

    personnummer = models.CharField(_("personnummer"), max_length=12, unique=True)
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    protected_identity = models.BooleanField(_("skyddad identitet"), default=False)
    street = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=10, blank=True)
    city = models.CharField(_("postort"), max_length=100, blank=True)
    has_eid = models.BooleanField(_("har e-legitimation"), default=False)
    # Contact details are not here: each care unit keeps its own (PatientContact).
    care_units = models.ManyToManyField("accounts.CareUnit", verbose_name=_("vårdenheter"),
                                        related_name="patients")
    registry_checked_at = models.DateTimeField(_("hämtad från personuppgiftstjänsten"))
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("skapad av"),
                                   on_delete=models.PROTECT, related_name="+")

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("patient")
        verbose_name_plural = _("patienter")
        constraints = [
            models.CheckConstraint(condition=models.Q(personnummer__regex=r"^\d{12}$"),
                                   name="patients_patient_personnummer_12_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personnummer_display})"


    @property
    def birth_date(self) -> datetime.date:
        return Personnummer(self.personnummer).birth_date

    @property
    def is_samordningsnummer(self) -> bool:
        return Personnummer(self.personnummer).is_samordningsnummer

    @property
    def list_name(self) -> str:
        """The name lists and notices may show: never a protected identity's (P8)."""
        return str(_("Skyddad identitet")) if self.protected_identity else self.full_name

    def contact_at(self, care_unit) -> PatientContact:
        """The contact details this care unit keeps for the patient; an empty, unsaved
        one when it has none. Never another unit's (S2)."""
        contact = self.contacts.filter(care_unit=care_unit).first() if self.pk else None
        return contact or PatientContact(patient=self, care_unit=care_unit)

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)

    def is_child_on(self, day: datetime.date) -> bool:
        """Under 13 on that day: a guardian acts as agent (P5)."""
        return self.age_on(day) < CHILD_AGE_LIMIT

    def needs_own_mobile_on(self, day: datetime.date) -> bool:
        """Adults, and 13–17 with e-ID, get the link on their own mobile (P4)."""
        return needs_own_mobile(self.age_on(day), has_eid=self.has_eid)

    def video_refusal_on(self, day: datetime.date) -> str | None:
        """Why this patient cannot take part in a video visit on that day, or None (P6)."""
        if self.is_child_on(day) or self.has_eid:
            return None
        if self.age_on(day) < ADULT_AGE:
            return str(_("Barn som fyllt 13 år behöver egen e-legitimation (BankID) för att "
                         "delta i ett videobesök. Utan e-legitimation kan besöket inte "
                         "genomföras som videobesök."))
        return str(_("Patienten saknar e-legitimation (BankID) och kan inte legitimera sig "
                     "för att delta i ett videobesök."))


class PatientContact(Reachable, models.Model):
    """The mobile and e-mail one care unit uses to reach a patient (P4).

    Each unit enters and changes its own: a second unit that registers the patient
    starts empty and never sees or changes the first unit's, so the first unit's
    SMS keep going where it decided.
    """

    patient = models.ForeignKey(Patient, verbose_name=_("patient"), on_delete=models.CASCADE,
                                related_name="contacts")
    care_unit = models.ForeignKey("accounts.CareUnit", verbose_name=_("vårdenhet"),
                                  on_delete=models.CASCADE, related_name="+")
    mobile = models.CharField(_("mobilnummer"), max_length=20, blank=True,
                              help_text=_("Lagras i formatet +46…"))
    email = models.EmailField(_("e-post"), blank=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ändrad av"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["care_unit"]
        verbose_name = _("kontaktuppgifter")
        verbose_name_plural = _("kontaktuppgifter")
        constraints = [
            models.UniqueConstraint(fields=["patient", "care_unit"],
                                    name="patients_contact_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} – {self.care_unit}"


class Guardian(NamedPerson, models.Model):
    """A vårdnadshavare of a child patient, as the registry gave them (P5).

    Per visit, staff choose the primary contact and the one agent (ombud) among them.
    Identity is the registry's and shared; mobile and e-mail are each unit's own
    (GuardianContact, contact_at): the agent's link goes where that unit decided.
    """

    child = models.ForeignKey(Patient, verbose_name=_("barn"), on_delete=models.CASCADE,
                              related_name="guardians")
    personnummer = models.CharField(_("personnummer"), max_length=12)
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    protected_identity = models.BooleanField(_("skyddad identitet"), default=False)
    has_eid = models.BooleanField(_("har e-legitimation"), default=False)
    # Contact details are not here: each care unit keeps its own (GuardianContact).

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("vårdnadshavare")
        verbose_name_plural = _("vårdnadshavare")
        constraints = [
            models.UniqueConstraint(fields=["child", "personnummer"],
                                    name="patients_guardian_once_per_child"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_hidden(self) -> bool:
        """P8: a protected guardian, or any guardian of a protected child, is shown by
        name only on the child's patient page."""
        return self.protected_identity or self.child.protected_identity

    @property
    def list_name(self) -> str:
        return str(_("Skyddad identitet")) if self.is_hidden else self.full_name

    def contact_at(self, care_unit) -> GuardianContact:
        """The contact details this care unit keeps for the guardian; an empty, unsaved
        one when it has none. Never another unit's (S2)."""
        contact = self.contacts.filter(care_unit=care_unit).first() if self.pk else None
        return contact or GuardianContact(guardian=self, care_unit=care_unit)


class GuardianContact(Reachable, models.Model):
    """The mobile and e-mail one care unit uses to reach a guardian (P5).

    As PatientContact: a unit enters and changes its own, and the agent links of its
    visits go there; another unit of the child neither sees nor changes them.
    """

    guardian = models.ForeignKey(Guardian, verbose_name=_("vårdnadshavare"),
                                 on_delete=models.CASCADE, related_name="contacts")
    care_unit = models.ForeignKey("accounts.CareUnit", verbose_name=_("vårdenhet"),
                                  on_delete=models.CASCADE, related_name="+")
    mobile = models.CharField(_("mobilnummer"), max_length=20, blank=True,
                              help_text=_("Lagras i formatet +46…"))
    email = models.EmailField(_("e-post"), blank=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ändrad av"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["care_unit"]
        verbose_name = _("kontaktuppgifter för vårdnadshavare")
        verbose_name_plural = _("kontaktuppgifter för vårdnadshavare")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "care_unit"],
                                    name="patients_guardian_contact_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} – {self.care_unit}"
