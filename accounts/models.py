import phonenumbers
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

hsa_id_validator = RegexValidator(
    r"^SE\d{10}-[A-Za-z0-9]{1,18}$",
    _("Ange ett HSA-id i formen SE2321000016-ABCD."),
)


class CareUnit(models.Model):
    """A vårdenhet: the unit that owns schedules, bookings and visits."""

    name = models.CharField(_("namn"), max_length=200)
    hsa_id = models.CharField(
        _("HSA-id"), max_length=31, unique=True, validators=[hsa_id_validator]
    )
    # Some unit names reveal a diagnosis (e.g. a dependency clinic); such names
    # never appear in SMS or e-mail (DESIGN G6).
    name_is_revealing = models.BooleanField(
        _("namnet avslöjar vårdbehov"),
        default=False,
        help_text=_("Namnet visas då aldrig i sms eller e-post till patienter och gäster."),
    )
    # Stored as E.164; shown to whoever holds a link that no longer works, so they know
    # whom to call (the name is not shown there: it may be revealing).
    phone = models.CharField(
        _("telefonnummer"), max_length=20, blank=True,
        help_text=_("Mottagningens nummer för patienter, t.ex. 010-123 45 67. Visas när "
                    "en länk till ett videomöte inte längre fungerar."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("vårdenhet")
        verbose_name_plural = _("vårdenheter")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.phone:
            return
        try:
            number = phonenumbers.parse(self.phone, "SE")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError({"phone": _("Ange ett giltigt telefonnummer, t.ex. "
                                              "010-123 45 67.")})
        self.phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    @property
    def name_for_patients(self) -> str:
        """The unit's name wherever a patient reads it (kallelse, 1177, feeds):
        "mottagningen" when the name itself reveals the condition (G6)."""
        return str(_("mottagningen")) if self.name_is_revealing else self.name

    @property
    def phone_display(self) -> str:
        """The number the way it is written where it is dialled: 010-123 45 67 in
        Sweden, with its country code when it is abroad."""
        if not self.phone:
            return ""
        number = phonenumbers.parse(self.phone, "SE")
        kind = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 46
                else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return phonenumbers.format_number(number, kind)


class User(AbstractUser):
    """A member of staff: clinician or booking staff, working at one or more care units."""

    class Role(models.TextChoices):
        CLINICIAN = "clinician", _("Behandlare")
        BOOKING = "booking", _("Bokningspersonal")

    hsa_id = models.CharField(
        _("HSA-id"), max_length=31, blank=True, validators=[hsa_id_validator]
    )
    title = models.CharField(_("yrkestitel"), max_length=100, blank=True)
    role = models.CharField(_("roll"), max_length=20, choices=Role, default=Role.CLINICIAN)
    care_units = models.ManyToManyField(
        CareUnit, verbose_name=_("vårdenheter"), related_name="staff", blank=True
    )
    # Only to flag, in log review, staff who opened their own record (DESIGN S1).
    personnummer = models.CharField(
        _("personnummer"), max_length=12, unique=True, null=True, blank=True,
        validators=[RegexValidator(r"^\d{12}$", _("Ange personnumret med 12 siffror, "
                                                   "ÅÅÅÅMMDDNNNN."))],
        help_text=_("12 siffror, ÅÅÅÅMMDDNNNN. Används vid logguppföljning."),
    )

    class Meta:
        verbose_name = _("personal")
        verbose_name_plural = _("personal")
        constraints = [
            models.UniqueConstraint(
                fields=["hsa_id"],
                condition=~models.Q(hsa_id=""),
                name="accounts_user_hsa_id_unique",
            )
        ]

    def __str__(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name} ({self.title})" if self.title else name

    @property
    def is_clinician(self) -> bool:
        return self.role == self.Role.CLINICIAN
