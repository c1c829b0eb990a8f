from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CareUnit, User
from integrations.registry import RegistryPerson, get_registry
from patients.fields import normalise_mobile
from patients.models import (
    Guardian,
    GuardianContact,
    Patient,
    PatientContact,
    age_on,
    needs_own_mobile,
)
from patients.personnummer import Personnummer


def registry_lookup(*, number: Personnummer) -> RegistryPerson | None:
    """The registry's record of this person; RegistryError when it does not answer (P3)."""
    return get_registry().lookup(number.digits)


@transaction.atomic
def patient_register(*, person: RegistryPerson, mobile: str, email: str,
                     user: User) -> Patient:
    """Create the patient from the registry's record, or refresh a known one, at the
    user's care units, with the contact details those units will use.

    Identity, address, protected identity and guardians come from the registry,
    never from a form; the caller looked the person up before anything is written,
    so a registry that fails leaves nothing half-created (P3). A patient already
    known at other units is shared by identity only: their contact details stay
    theirs, and the user's units start from what the user gave.
    """
    units = list(user.care_units.all())
    if not units:
        raise ValidationError(_("Du är inte kopplad till någon vårdenhet och kan inte "
                                "registrera patienter. Kontakta administratören."),
                              code="no_unit")
    # No visit date exists yet, so today's age decides whether a mobile is required
    # now; each booking checks again on its own date (P7).
    if not mobile and not mobile_known_at_each(
            personnummer=person.personnummer, units=units) and needs_own_mobile(
            age_on(person.birth_date, timezone.localdate()), has_eid=person.has_eid):
        raise ValidationError({"mobile": _("Mobilnummer måste anges: patienten får länken "
                                           "till videobesöket som sms.")})
    patient = _store(person=person, user=user, units=units)
    for unit in units:
        contact = patient.contact_at(unit)
        # A unit that already had the patient keeps what it had where the form
        # left a field empty; a new unit starts from the form.
        changed = {name: value for name, value in (("mobile", mobile), ("email", email))
                   if value or contact.pk is None}
        _contact_save(contact=contact, user=user, **changed)
    return patient


def mobile_known_at_each(*, personnummer: str, units: list) -> bool:
    """Every one of these units already has a mobile for this person: Skapa patient
    may then leave the field empty (P4)."""
    with_mobile = (PatientContact.objects.filter(patient__personnummer=personnummer,
                                                 care_unit__in=units)
                   .exclude(mobile="").count())
    return with_mobile == len(units)


def patient_refresh(*, patient: Patient, person: RegistryPerson, user: User) -> Patient:
    """Uppdatera från personuppgiftstjänsten: name, address, e-ID, protected identity and
    guardians as the registry has them now; contact details and units stay (P3)."""
    return _store(person=person, user=user, units=[])


@transaction.atomic
def _store(*, person: RegistryPerson, user: User, units: list) -> Patient:
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
    patient, _created = Patient.objects.update_or_create(
        personnummer=person.personnummer, defaults=registry_fields,
        create_defaults=registry_fields | {"created_by": user},
    )
    patient.care_units.add(*units)
    listed = {g.personnummer for g in person.guardians}
    patient.guardians.exclude(personnummer__in=listed).delete()
    for guardian in person.guardians:
        # Each unit's contact details for a guardian (GuardianContact) survive a
        # registry refresh: only the registry's fields are written here.
        Guardian.objects.update_or_create(
            child=patient, personnummer=guardian.personnummer,
            defaults={"first_name": guardian.first_name, "last_name": guardian.last_name,
                      "protected_identity": guardian.protected_identity,
                      "has_eid": guardian.has_eid},
        )
    return patient


@transaction.atomic
def patient_update_contact(*, patient: Patient, care_unit: CareUnit, mobile: str, email: str,
                           user: User) -> PatientContact:
    """The unit's own mobile and e-mail for the patient; other units' stay as they are."""
    if not mobile and patient.needs_own_mobile_on(timezone.localdate()):
        raise ValidationError({"mobile": _("Mobilnummer måste anges: patienten får länken "
                                           "till videobesöket som sms.")})
    return _contact_save(contact=patient.contact_at(care_unit), user=user, mobile=mobile,
                         email=email)


def _contact_save(*, contact: PatientContact | GuardianContact, user: User,
                  **values: str) -> PatientContact | GuardianContact:
    if contact.pk is not None and all(getattr(contact, k) == v for k, v in values.items()):
        return contact
    for name, value in values.items():
        setattr(contact, name, value)
    contact.updated_by = user
    # The references are the caller's saved rows; only the values need checking.
    contact.full_clean(exclude=["patient", "guardian", "care_unit", "updated_by"],
                       validate_constraints=False)
    contact.save()
    return contact


@transaction.atomic
def guardian_update_contact(*, guardian: Guardian, care_unit: CareUnit, mobile: str, email: str,
                            user: User) -> GuardianContact:
    """The unit's own mobile and e-mail for the guardian; other units' stay as they are."""
    return _contact_save(contact=guardian.contact_at(care_unit), user=user, mobile=mobile,
                         email=email)


def child_contacts_clean(*, patient: Patient, care_unit: CareUnit,
                         primary_contact: Guardian | None, agent: Guardian | None) -> None:
    """Per visit of a child under 13: a primary contact and exactly one agent, both guardians (P5).

    The agent gets the link on the mobile `care_unit` (the visit's or booking's)
    keeps for them, and identifies with e-ID.
    """
    errors = {}
    guardians = set(patient.guardians.values_list("pk", flat=True))
    if primary_contact is None or primary_contact.pk not in guardians:
        errors["primary_contact"] = _("Välj en av barnets vårdnadshavare som primär kontakt.")
    if agent is None or agent.pk not in guardians:
        errors["agent"] = _("Välj en (1) av barnets vårdnadshavare som ombud.")
    elif not (mobile := agent.contact_at(care_unit).mobile):
        errors["agent"] = _("Ombudet saknar mobilnummer. Lägg till det under Relationer; "
                            "ombudet får länken som sms.")
    elif not _is_mobile(mobile):
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
