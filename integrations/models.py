from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from personnummer import personnummer

from patients.models import Patient


class MessageTemplate(models.Model):
    """Text of an SMS, e-mail or 1177 message; editable by admins (DESIGN G6)."""

    class Channel(models.TextChoices):
        SMS = "sms", _("Sms")
        EMAIL = "email", _("E-post")
        PORTAL = "portal", _("1177 inkorg")

    key = models.SlugField(_("nyckel"), max_length=60, unique=True)
    name = models.CharField(_("namn"), max_length=100)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel)
    subject = models.CharField(_("ämne"), max_length=200, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("meddelandemall")
        verbose_name_plural = _("meddelandemallar")

    def __str__(self) -> str:
        return self.name

    # The only things a message may say besides its fixed text (G6): when, the
    # personal link, and for a group visit the external meeting's link.
    ALLOWED_VARIABLES = {"start", "link", "meeting_url"}

    def clean(self) -> None:
        errors = {}
        for field in ["subject", "body"]:
            text = getattr(self, field)
            if "{%" in text:
                errors[field] = _("Mallar får inte innehålla {% … %}-taggar.")
                continue
            unknown = sorted(set(TEMPLATE_VARIABLE.findall(text)) - self.ALLOWED_VARIABLES)
            if unknown:
                errors[field] = _(
                    "Okända fält: %(fields)s. Tillåtna är {{ start }}, {{ link }} och "
                    "{{ meeting_url }}; personnummer, sökorsak och enhet får aldrig stå i "
                    "meddelanden.") % {"fields": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)


# A variable in a message template: {{ name }} or {{ name|filter }}.
TEMPLATE_VARIABLE = re.compile(r"{{\s*([^\s|}]+)")


E164 = RegexValidator(r"^\+[1-9]\d{6,14}$", _("Ange mobilnumret i formatet +46701234567."))


def validate_personnummer_12(value: str) -> None:
    if not (len(value) == 12 and value.isdigit() and personnummer.valid(value)):
        raise ValidationError(_("Ange ett giltigt personnummer med 12 siffror."))


class OutboxQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime | None = None) -> OutboxQuerySet:
        """Rows a sender may take now: pending and due, or sending with an expired lease."""
        return self.filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
            next_attempt_at__lte=now or timezone.now(),
        )


class OutboxMessage(models.Model):
    """One SMS, e-mail or 1177 message, written in the transaction that caused it (DESIGN N1).

    A Celery task sends it after commit; a periodic sweep sends whatever is due and
    was not sent, so a message survives a broker outage or a worker crash.
    """

    Channel = MessageTemplate.Channel

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar")
        SENDING = "sending", _("Skickas")
        SENT = "sent", _("Skickat")
        FAILED = "failed", _("Misslyckades")

    channel = models.CharField(_("kanal"), max_length=10, choices=Channel)
    # E.164 mobile number, e-mail address or 12-digit personnummer, by channel.
    recipient = models.CharField(_("mottagare"), max_length=254)
    subject = models.CharField(_("ämne"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    # While sending, this is the end of the sender's lease: a sender that died
    # mid-send leaves the row to the sweep once it has passed.
    next_attempt_at = models.DateTimeField(_("nästa försök"), default=timezone.now)
    last_error = models.CharField(_("senaste fel"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("idempotensnyckel"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("skapat"), auto_now_add=True)
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)
    provider_message_id = models.CharField(_("leverantörens id"), max_length=200, blank=True)
    # A personal link the body stands in for with a placeholder, resolved through
    # OUTBOX_LINK_RESOLVER only as the message goes out, so no live link is stored.
    link_ref = models.CharField(_("länkreferens"), max_length=40, blank=True)
    # The visit a message is about, so its page can show what failed ("Skicka igen").
    visit = models.ForeignKey("visits.VideoVisit", verbose_name=_("videobesök"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="messages")

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("utgående meddelande")
        verbose_name_plural = _("utgående meddelanden")
        indexes = [
            # The sweep's query; sent and failed rows, the bulk of the table, stay out.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="integrations_outbox_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"

    def patient_concerned(self):
        """Whose business the message is, for the access log (S1): the visit's patient,
        or for a 1177 message without a visit (a group visit's) the patient it went to."""
        if self.visit_id is not None:
            return self.visit.patient
        if self.channel == self.Channel.PORTAL:
            return Patient.objects.filter(personnummer=self.recipient).first()
        return None

    def clean(self) -> None:
        validators = {
            self.Channel.SMS: E164,
            self.Channel.EMAIL: EmailValidator(_("Ange en giltig e-postadress.")),
            self.Channel.PORTAL: validate_personnummer_12,
        }
        validate = validators.get(self.channel)
        if validate is not None:
            try:
                validate(self.recipient)
            except ValidationError as error:
                raise ValidationError({"recipient": error.messages}) from error
        if self.channel in (self.Channel.EMAIL, self.Channel.PORTAL) and not self.subject:
            raise ValidationError({"subject": _("E-post och 1177-meddelanden måste ha ett ämne.")})


class DevInboxMessage(models.Model):
    """What the development backends "sent" instead of reaching SMS, e-mail or 1177 (DESIGN N3)."""

    Channel = MessageTemplate.Channel

    channel = models.CharField(_("kanal"), max_length=10, choices=Channel)
    recipient = models.CharField(_("mottagare"), max_length=254)
    subject = models.CharField(_("ämne"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("skapat"), auto_now_add=True)
    # The outbox message this is, so that admin logs whose data it shows (S1).
    outbox_message = models.ForeignKey(OutboxMessage, verbose_name=_("utgående meddelande"),
                                       null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meddelande i utvecklingsinkorgen")
        verbose_name_plural = _("utvecklingsinkorgen")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"

    @classmethod
    def keep(cls, *, channel: str, recipient: str, body: str, subject: str = "",
             reference: str = "") -> DevInboxMessage:
        """Keep what a development backend "sent"; `reference` is the outbox message's
        idempotency key, as the backends get it."""
        return cls.objects.create(
            channel=channel, recipient=recipient, subject=subject, body=body,
            outbox_message=OutboxMessage.objects.filter(idempotency_key=reference).first()
            if reference else None)

    @property
    def recipient_display(self) -> str:
        """The recipient as staff write it: a personnummer as YYYYMMDD-NNNN (DESIGN P2)."""
        if self.channel == self.Channel.PORTAL and len(self.recipient) == 12:
            return f"{self.recipient[:8]}-{self.recipient[8:]}"
        return self.recipient
