from django.db import models
from django.utils.translation import gettext_lazy as _


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


class DevInboxMessage(models.Model):
    """What the development backends "sent" instead of reaching SMS, e-mail or 1177 (DESIGN N3)."""

    Channel = MessageTemplate.Channel

    channel = models.CharField(_("kanal"), max_length=10, choices=Channel)
    recipient = models.CharField(_("mottagare"), max_length=254)
    subject = models.CharField(_("ämne"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("skapat"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meddelande i utvecklingsinkorgen")
        verbose_name_plural = _("utvecklingsinkorgen")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"

    @property
    def recipient_display(self) -> str:
        """The recipient as staff write it: a personnummer as YYYYMMDD-NNNN (DESIGN P2)."""
        if self.channel == self.Channel.PORTAL and len(self.recipient) == 12:
            return f"{self.recipient[:8]}-{self.recipient[8:]}"
        return self.recipient
