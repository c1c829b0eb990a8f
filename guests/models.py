from django.db import models
from django.utils.translation import gettext_lazy as _


class InterpreterAgency(models.Model):
    """An interpreting agency and the preset that "Bjud in tolk" fills in (DESIGN G3)."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    first_name = models.CharField(_("förnamn för tolk"), max_length=100)
    last_name = models.CharField(_("efternamn för tolk"), max_length=100)
    email = models.EmailField(_("e-post för videolänk"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("tolkförmedling")
        verbose_name_plural = _("tolkförmedlingar")

    def __str__(self) -> str:
        return self.name
