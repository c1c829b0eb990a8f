"""The one way staff views reach a patient: scoping (S2) and the access log (S1)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest

from accounts.models import CareUnit
from audit.services import Action, Outcome, access_log_write, action_for
from patients.models import Patient


def unit_of_access(user, patient: Patient | None = None, *, owner=None) -> CareUnit | None:
    """The one care unit a staff member acts through: whose contact details for the
    patient and the guardians they read on the patient page, change, and send to
    (Nytt besök, Boka), and which the access log names.

    The rule, for a user in several units: of the user's units, those that have the
    patient (when one is given); of these, those the owner (the clinician a booking
    is for) also belongs to, if any; of what is left, the lowest id, i.e. the unit
    the user was first linked to that qualifies. Every page asks here, so the same
    user on the same patient always gets the same unit.
    """
    units = CareUnit.objects.filter(pk__in=user.care_units.values("pk"))
    if patient is not None and patient.pk is not None:
        units = units.filter(pk__in=patient.care_units.values("pk"))
    if owner is not None:
        shared = units.filter(pk__in=owner.care_units.values("pk"))
        if shared.exists():
            units = shared
    return units.order_by("pk").first()


def _reach(user, patient: Patient) -> dict:
    """access_log_write's care_unit (the unit of access) and also_known_at (the
    patient's units the user is not in)."""
    unit = unit_of_access(user, patient)
    mine = CareUnit.objects.filter(pk=OuterRef("pk"), pk__in=user.care_units.values("pk"))
    others = patient.care_units.annotate(mine=Exists(mine)).filter(mine=False).order_by("pk")
    return {"care_unit": unit, "also_known_at": [u.hsa_id for u in others]}


def get_patient_for_staff(request: HttpRequest, pk: int, action: str | None = None) -> Patient:
    """The patient if the signed-in staff member's care units have them, logged (S1, S2).

    A patient of other units only: a "denied" row and 403. No such patient: 404.
    `action` defaults to viewing for GET and changing for other methods.
    """
    action = action_for(request, action)
    patient = Patient.objects.for_staff(request.user).filter(pk=pk).first()
    if patient is None:
        other = Patient.objects.filter(pk=pk).first()
        if other is None:
            raise Http404
        access_log_write(request=request, action=action, outcome=Outcome.DENIED,
                         patient=other, obj=other)
        raise PermissionDenied
    access_log_write(request=request, action=action, patient=patient, obj=patient,
                     **_reach(request.user, patient))
    return patient


def find_patient_for_staff(request: HttpRequest, personnummer: str) -> Patient | None:
    """The known patient with this full number at the user's care units, if any (P1).

    Every search is logged with the number searched, found at the unit or not, so
    review per person also covers people who only reached the registry look-up.
    """
    patient = Patient.objects.for_staff(request.user).filter(personnummer=personnummer).first()
    if patient is None:
        known = Patient.objects.filter(personnummer=personnummer).values_list(
            "protected_identity", flat=True).first()
        access_log_write(request=request, action=Action.SEARCH, outcome=Outcome.NOT_FOUND,
                         personnummer=personnummer, protected_identity=bool(known))
        return None
    access_log_write(request=request, action=Action.SEARCH, patient=patient, obj=patient,
                     **_reach(request.user, patient))
    return patient


def log_patient_access(request: HttpRequest, patient: Patient, action: str,
                       obj=None) -> None:
    """A use of a patient the view already reached through a helper: Skapa patient,
    a kallelse printed (action "print", obj the booking), an export."""
    access_log_write(request=request, action=action, patient=patient, obj=obj or patient,
                     **_reach(request.user, patient))


def log_patient_created(request: HttpRequest, patient: Patient) -> None:
    """Skapa patient: the registration (or refresh) of a patient at the user's units.

    A patient already known at other units is a cross-unit look: the row names those
    units (also_known_at), and log review lists it (AccessLogQuerySet.for_review).
    """
    log_patient_access(request, patient, Action.CREATE)
