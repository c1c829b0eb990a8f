from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from integrations.registry import RegistryPerson, get_registry
from patients.fields import normalise_mobile
from patients.models import Guardian, Patient, age_on, needs_own_mobile
from patients.personnummer import Personnummer


def registry_lookup(*, number: Personnummer) -> RegistryPerson | None:
    """The registry's record of this person; RegistryError when it does not answer (P3)."""
    return get_registry().lookup(number.digits)


def patient_register(*, person: RegistryPerson, mobile: str, email: str,
                     user: User) -> Patient:
    """Create the patient from the registry's record, or refresh a known one, at the
    user's care units.

    Identity, address, protected identity and guardians come from the registry,
    never from a form; the caller looked the person up before anything is written,
    so a registry that fails leaves nothing half-created (P3).
    """
    units = list(user.care_units.all())
    if not units:
        raise ValidationError(_("Du är inte kopplad till någon vårdenhet och kan inte "
                                "registrera patienter. Kontakta administratören."),
                              code="no_unit")
    # No visit date exists yet, so today's age decides whether a mobile is required
    # now; each booking checks again on its own date (P7).
    known_mobile = (Patient.objects.filter(personnummer=person.personnummer)
                    .values_list("mobile", flat=True).first())
    if not mobile and not known_mobile and needs_own_mobile(
            age_on(person.birth_date, timezone.localdate()), has_eid=person.has_eid):
        raise ValidationError({"mobile": _("Mobilnummer måste anges: patienten får länken "
                                           "till videobesöket som sms.")})
    return _store(person=person, mobile=mobile, email=email, user=user, units=units)


def patient_refresh(*, patient: Patient, person: RegistryPerson, user: User) -> Patient:
    """Uppdatera från personuppgiftstjänsten: name, address, e-ID, protected identity and
    guardians as the registry has them now; contact details and units stay (P3)."""
    return _store(person=person, mobile="", email="", user=user, units=[])


@transaction.atomic
def _store(*, person: RegistryPerson, mobile: str, email: str, user: User,
           units: list) -> Patient:
    registry_fields = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "protected_identity": person.protected_identity,
        "street": person.address.street,
        "postal_code": person.address.postal_code,
        "city": person.address.city,
        "has_eid": person.has_eid,
        "registry_checked_at": timezone.now(),
    }
    # A patient known at another unit keeps the contact details stored there unless
    # new ones are given: left-empty fields do not wipe them.
    contact = {name: value for name, value in (("mobile", mobile), ("email", email)) if value}
    patient, _created = Patient.objects.update_or_create(
        personnummer=person.personnummer, defaults=registry_fields | contact,
        create_defaults=registry_fields | {"mobile": mobile, "email": email,
                                           "created_by": user},
    )
    patient.care_units.add(*units)
    listed = {g.personnummer for g in person.guardians}
    patient.guardians.exclude(personnummer__in=listed).delete()
    for guardian in person.guardians:
        # Contact details staff entered for a guardian survive a registry refresh.
        Guardian.objects.update_or_create(
            child=patient, personnummer=guardian.personnummer,
            defaults={"first_name": guardian.first_name, "last_name": guardian.last_name,
                      "protected_identity": guardian.protected_identity,
                      "has_eid": guardian.has_eid},
        )
    return patient


@transaction.atomic
def patient_update_contact(*, patient: Patient, mobile: str, email: str) -> Patient:
    if not mobile and patient.needs_own_mobile_on(timezone.localdate()):
        raise ValidationError({"mobile": _("Mobilnummer måste anges: patienten får länken "
                                           "till videobesöket som sms.")})
    patient.mobile = mobile
    patient.email = email
    patient.full_clean()
    patient.save(update_fields=["mobile", "email"])
    return patient


@transaction.atomic
def guardian_update_contact(*, guardian: Guardian, mobile: str, email: str) -> Guardian:
    guardian.mobile = mobile
    guardian.email = email
    guardian.full_clean()
    guardian.save(update_fields=["mobile", "email"])
    return guardian


def child_contacts_clean(*, patient: Patient, primary_contact: Guardian | None,
                         agent: Guardian | None) -> None:
    """Per visit of a child under 13: a primary contact and exactly one agent, both guardians (P5).

    The agent gets the link on their mobile and identifies with e-ID.
    """
    errors = {}
    guardians = set(patient.guardians.values_list("pk", flat=True))
    if primary_contact is None or primary_contact.pk not in guardians:
        errors["primary_contact"] = _("Välj en av barnets vårdnadshavare som primär kontakt.")
    if agent is None or agent.pk not in guardians:
        errors["agent"] = _("Välj en (1) av barnets vårdnadshavare som ombud.")
    elif not agent.mobile:
        errors["agent"] = _("Ombudet saknar mobilnummer. Lägg till det under Relationer; "
                            "ombudet får länken som sms.")
    elif not _is_mobile(agent.mobile):
        errors["agent"] = _("Ombudets mobilnummer är inte ett giltigt svenskt mobilnummer. "
                            "Rätta det under Relationer; ombudet får länken som sms.")
    elif not agent.has_eid:
        errors["agent"] = _("Ombudet måste kunna legitimera sig med e-legitimation (BankID).")
    if errors:
        raise ValidationError(errors)


def _is_mobile(number: str) -> bool:
    # Relationer stores numbers normalised, but admin takes any text: an SMS to a
    # number that is not a mobile would fail only in the outbox, after the change.
    try:
        normalise_mobile(number)
    except ValidationError:
        return False
    return True
