"""The access log: who looked at which patient's data, what, when and from where (DESIGN S1).

Rows are only ever added. PostgreSQL refuses UPDATE and DELETE of the table with a
trigger (migration 0002), so not even the application's own database role can
rewrite the log; the admin is read-only on top of that.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.personnummer import format_pnr


def own_record_q() -> Q:
    """Rows about the acting staff member's own personnummer."""
    return ~Q(personnummer="") & Q(personnummer=F("user__personnummer"))


def joined_elsewhere_q() -> Q:
    """Rows of Skapa patient for a patient already known at other care units."""
    return Q(action="create") & ~Q(also_known_at="")


class AccessLogQuerySet(models.QuerySet):
    def own_record(self) -> AccessLogQuerySet:
        """Staff who opened or searched for their own record."""
        return self.filter(own_record_q())

    def joined_elsewhere(self) -> AccessLogQuerySet:
        """Registrations of a patient other units already had: a new unit's first look
        at a person known elsewhere."""
        return self.filter(joined_elsewhere_q())

    def for_review(self) -> AccessLogQuerySet:
        """What log review looks at first: own records, protected identities, refusals,
        and registrations of patients already known at other units."""
        return self.filter(own_record_q() | Q(protected_identity=True) | Q(outcome="denied")
                           | joined_elsewhere_q())


class AccessLogEntry(models.Model):
    """One look at (or attempt to reach) a patient's data by a member of staff."""

    class Action(models.TextChoices):
        SEARCH = "search", _("Sökning")
        VIEW = "view", _("Visning")
        CREATE = "create", _("Registrering")
        UPDATE = "update", _("Ändring")
        PRINT = "print", _("Utskrift")
        EXPORT = "export", _("Export")

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("Tillåten")
        DENIED = "denied", _("Nekad")
        NOT_FOUND = "not_found", _("Ej känd på enheten")

    # Rows outlive neither users nor patients being deleted: both are protected,
    # since the log must stay complete for review.
    timestamp = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("användare"),
                             on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("åtgärd"), max_length=20, choices=Action)
    outcome = models.CharField(_("utfall"), max_length=20, choices=Outcome,
                               default=Outcome.ALLOWED)
    care_unit = models.ForeignKey("accounts.CareUnit", verbose_name=_("vårdenhet"),
                                  on_delete=models.PROTECT, related_name="+",
                                  null=True, blank=True)
    patient = models.ForeignKey("patients.Patient", verbose_name=_("patient"),
                                on_delete=models.PROTECT, related_name="+",
                                null=True, blank=True)
    # The person's number even when there is no patient row (a search that only
    # reached the population registry), so review per person is complete.
    personnummer = models.CharField(_("personnummer"), max_length=12, blank=True)
    protected_identity = models.BooleanField(_("skyddad identitet"), default=False)
    # The patient's other care units (HSA-ids) at the time of the look: a unit that
    # reaches a patient also known elsewhere shows in review as a cross-unit look.
    also_known_at = models.TextField(_("även känd vid"), blank=True)
    object_type = models.CharField(_("objekttyp"), max_length=50, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=50, blank=True)
    client_address = models.GenericIPAddressField(_("klientadress"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("loggpost")
        verbose_name_plural = _("åtkomstlogg")
        indexes = [models.Index(fields=["patient", "timestamp"]),
                   models.Index(fields=["user", "timestamp"]),
                   models.Index(fields=["personnummer", "timestamp"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.timestamp):%Y-%m-%d %H:%M:%S} {self.user} " \
               f"{self.get_action_display()} {self.get_outcome_display()}"

    @property
    def personnummer_display(self) -> str:
        return format_pnr(self.personnummer) if self.personnummer else ""
