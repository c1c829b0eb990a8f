"""The one way staff views reach a patient: scoping (S2), and the access log (S1) to come."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from patients.models import Patient


def get_patient_for_staff(request: HttpRequest, pk: int) -> Patient:
    """The patient if the signed-in staff member's care units have them; 404 otherwise.

    404 rather than 403, so a number in a URL reveals nothing about other units' patients.
    """
    try:
        return Patient.objects.for_staff(request.user).get(pk=pk)
    except Patient.DoesNotExist:
        raise Http404 from None


def find_patient_for_staff(request: HttpRequest, personnummer: str) -> Patient | None:
    """The known patient with this full number at the user's care units, if any (P1)."""
    return Patient.objects.for_staff(request.user).filter(personnummer=personnummer).first()
