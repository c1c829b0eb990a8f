from __future__ import annotations

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


class ParticipantQuerySet(models.QuerySet):
    def active(self) -> ParticipantQuerySet:
        return self.filter(removed_at__isnull=True)


class Participant(models.Model):
    """Someone outside the staff who takes part in one video visit (DESIGN G2).

    The patient and the agent (ombud) identify with e-ID, which must match their
    personnummer; guests (interpreter, relative or guardian, colleague, other)
    come in on their personal link alone (G4). Whoever arrives while the meeting is
    live waits until staff let them in (`admitted_at`), unless staff marked them
    "släpps in direkt" when inviting them (R2).
    """

    class Kind(models.TextChoices):
        PATIENT = "patient", _("Patient")
        AGENT = "agent", _("Ombud")
        INTERPRETER = "interpreter", _("Tolk")
        RELATIVE = "relative", _("Närstående eller vårdnadshavare")
        COLLEAGUE = "colleague", _("Kollega")
        GUEST = "guest", _("Annan gäst")

    class Channel(models.TextChoices):
        SMS = "sms", _("Sms")
        EMAIL = "email", _("E-post")
        NONE = "none", _("Skickas inte (länken kopieras)")

    visit = models.ForeignKey("visits.VideoVisit", verbose_name=_("videobesök"),
                              on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("roll"), max_length=20, choices=Kind)
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    personnummer = models.CharField(_("personnummer"), max_length=12, blank=True,
                                    help_text=_("Krävs för patient och ombud, som legitimerar "
                                                "sig med e-legitimation."))
    mobile = models.CharField(_("mobilnummer"), max_length=20, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    channel = models.CharField(_("länken skickas med"), max_length=10, choices=Channel,
                               default=Channel.SMS)
    agency = models.ForeignKey(InterpreterAgency, verbose_name=_("tolkförmedling"),
                               on_delete=models.PROTECT, null=True, blank=True)
    admit_directly = models.BooleanField(
        _("släpps in direkt"), default=False,
        help_text=_("Går direkt in i ett pågående videomöte, utan att vänta i väntrummet."))
    # Let into the meeting: by "Starta videomöte" while waiting, or by "Släpp in". Kept
    # here, not with the socket, so that a drop or a server restart does not put
    # them back in the waiting room (R4).
    admitted_at = models.DateTimeField(_("insläppt"), null=True, blank=True)
    added_at = models.DateTimeField(_("tillagd"), auto_now_add=True)
    removed_at = models.DateTimeField(_("borttagen"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        constraints = [
            # One patient and at most one agent per visit (P5); removed ones don't count.
            models.UniqueConstraint(fields=["visit", "kind"],
                                    condition=models.Q(kind__in=["patient", "agent"],
                                                       removed_at__isnull=True),
                                    name="guests_one_patient_and_one_agent_per_visit"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["patient", "agent"]) | ~models.Q(personnummer=""),
                name="guests_identified_kinds_have_personnummer"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_kind_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def requires_eid(self) -> bool:
        """The patient and the agent must identify; guests need no e-ID (G4)."""
        return self.kind in {self.Kind.PATIENT, self.Kind.AGENT}

    @property
    def is_removable(self) -> bool:
        """Guests come and go; the patient and the agent come from the booking (G1, P5)."""
        return not self.requires_eid

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    @property
    def is_admitted(self) -> bool:
        """Goes into the live meeting without waiting for staff (R2)."""
        return self.admit_directly or self.admitted_at is not None


class InvitationLink(models.Model):
    """A participant's personal link (G5).

    The token is an HMAC of `nonce` under the LINK_SECRET, so the database alone
    holds no working link: it keeps the nonce and a hash of the token to look it
    up by, and the outbox asks for the link only when a message goes out.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE,
                                    related_name="links")
    nonce = models.CharField(max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbjudningslänk")
        verbose_name_plural = _("inbjudningslänkar")

    def __str__(self) -> str:
        return f"{self.participant} ({self.created_at:%Y-%m-%d %H:%M})"
