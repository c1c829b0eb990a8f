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
