"""Reference data of the scheduling side (VAS); bookings themselves come later."""

from django.db import models
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
