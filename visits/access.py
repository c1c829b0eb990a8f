"""The one way staff views reach a video visit: scoping (S2) and the access log (S1)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from audit.services import Outcome, access_log_write, action_for
from visits.models import VideoVisit


def get_visit_for_staff(request: HttpRequest, pk: int, action: str | None = None) -> VideoVisit:
    """The visit if it is at one of the user's units or the user takes part, logged (S1, S2).

    A visit the user may not see: a "denied" row and 403. No such visit: 404.
    `action` defaults to viewing for GET and changing for other methods.
    """
    action = action_for(request, action)
    visit = (VideoVisit.objects.for_staff(request.user)
             .select_related("patient", "owner", "care_unit", "primary_contact", "agent")
             .filter(pk=pk).first())
    if visit is None:
        other = (VideoVisit.objects.select_related("patient", "care_unit")
                 .filter(pk=pk).first())
        if other is None:
            raise Http404
        access_log_write(request=request, action=action, outcome=Outcome.DENIED,
                         patient=other.patient, care_unit=other.care_unit, obj=other)
        raise PermissionDenied
    access_log_write(request=request, action=action, patient=visit.patient,
                     care_unit=visit.care_unit, obj=visit)
    return visit


def get_visit_for_socket(scope: dict, pk: int, action: str = "view") -> VideoVisit:
    """get_visit_for_staff for a consumer's connect (sync: wrap in database_sync_to_async).

    PermissionDenied, after a "denied" row, when the signed-in user may not see the
    visit; VideoVisit.DoesNotExist when there is none. The consumer closes the
    handshake on either, which the browser sees as 403.
    """
    user = scope.get("user")
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    visit = (VideoVisit.objects.for_staff(user)
             .select_related("patient", "owner", "care_unit").filter(pk=pk).first())
    if visit is None:
        other = VideoVisit.objects.select_related("patient", "care_unit").get(pk=pk)
        access_log_write(scope=scope, action=action, outcome=Outcome.DENIED,
                         patient=other.patient, care_unit=other.care_unit, obj=other)
        raise PermissionDenied
    access_log_write(scope=scope, action=action, patient=visit.patient,
                     care_unit=visit.care_unit, obj=visit)
    return visit
