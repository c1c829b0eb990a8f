"""The one way staff views reach a video visit: scoping (S2), and the access log (S1) to come."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from visits.models import VideoVisit


def get_visit_for_staff(request: HttpRequest, pk: int) -> VideoVisit:
    """The visit if it is at one of the user's units or the user takes part; 404 otherwise."""
    try:
        return (VideoVisit.objects.for_staff(request.user)
                .select_related("patient", "owner", "care_unit").get(pk=pk))
    except VideoVisit.DoesNotExist:
        raise Http404 from None
