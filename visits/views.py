from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from visits.access import get_visit_for_staff
from visits.models import IllegalTransition, VideoVisit
from visits.services import (
    JournalingUnanswered,
    visit_confirm_journaled,
    visit_finish,
    visit_save_notes,
    visit_transition,
)


class DayForm(forms.Form):
    dag = forms.DateField(label=_("Datum"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("Anteckningar"), required=False,
                            widget=forms.Textarea(attrs={"rows": 6}))


@require_GET
@login_required
def start(request) -> HttpResponse:
    """Idag: the signed-in clinician's video visits of a day, in time order (V1)."""
    form = DayForm(request.GET)
    today = timezone.localdate()
    day = form.cleaned_data["dag"] if form.is_valid() and form.cleaned_data["dag"] else today
    mine = VideoVisit.objects.involving(request.user).select_related("patient")
    context = {
        "day": day, "today": today, "form": DayForm(initial={"dag": day}),
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "visits": mine.on(day).with_waiting().order_by("starts_at"),
        "unjournaled": mine.unjournaled().order_by("starts_at"),
    }
    template = "visits/start.html#visit-rows" if request.htmx and not request.htmx.boosted \
        else "visits/start.html"
    return render(request, template, context)


def render_visit(request, visit: VideoVisit, *, status: int = 200, **context) -> HttpResponse:
    template = "visits/detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#visit-panel"
    context.setdefault("notes_form", NotesForm(initial={"notes": visit.notes}))
    return render(request, template, {"visit": visit, **context}, status=status)


@require_GET
@login_required
def detail(request, pk: int) -> HttpResponse:
    """Besökssidan: patient, state, notes and the buttons of the visit's day (V2)."""
    return render_visit(request, get_visit_for_staff(request, pk))


@require_GET
@login_required
def panel(request, pk: int) -> HttpResponse:
    """The visit page's live part, re-fetched when the visit changes (R1)."""
    visit = get_visit_for_staff(request, pk)
    return render(request, "visits/detail.html#visit-panel",
                  {"visit": visit, "notes_form": NotesForm(initial={"notes": visit.notes})})


TRANSITION_ACTIONS = {"receive", "start", "start_meeting", "end_meeting", "cancel"}


@require_POST
@login_required
def transition(request, pk: int, action: str) -> HttpResponse:
    """Ta emot, Starta besök, Starta/Avsluta videomöte, Avboka; 409 when not allowed now (V3)."""
    if action not in TRANSITION_ACTIONS:
        raise Http404
    visit = get_visit_for_staff(request, pk)
    try:
        visit = visit_transition(visit=visit, action=action, user=request.user)
    except IllegalTransition as refused:
        visit.refresh_from_db()
        return render_visit(request, visit, status=409, problem=refused.message)
    if action == "receive" and request.POST.get("from") == "start":
        url = reverse("visits:detail", args=[visit.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if not request.htmx:
        return redirect("visits:detail", pk=visit.pk)
    return render_visit(request, visit)


@require_POST
@login_required
def finish(request, pk: int) -> HttpResponse:
    """Avsluta besök; with notes, first ask whether they are recorded in VAS (V2, V5)."""
    visit = get_visit_for_staff(request, pk)
    answer = request.POST.get("journaled")
    journaled = {"yes": True, "no": False}.get(answer)
    try:
        visit = visit_finish(visit=visit, user=request.user, journaled=journaled)
    except JournalingUnanswered:
        return render_visit(request, visit, ask_journaled=True)
    except IllegalTransition as refused:
        visit.refresh_from_db()
        return render_visit(request, visit, status=409, problem=refused.message)
    if not request.htmx:
        return redirect("visits:detail", pk=visit.pk)
    return render_visit(request, visit)


@require_POST
@login_required
def save_notes(request, pk: int) -> HttpResponse:
    visit = get_visit_for_staff(request, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            visit = visit_save_notes(visit=visit, notes=form.cleaned_data["notes"],
                                     user=request.user)
        except ValidationError as error:
            return render_visit(request, visit, status=409, problem=" ".join(error.messages),
                                notes_form=form)
    if not request.htmx:
        return redirect("visits:detail", pk=visit.pk)
    return render_visit(request, visit, notes_saved=True)


@require_POST
@login_required
def confirm_journaled(request, pk: int) -> HttpResponse:
    """Notes are recorded in VAS: the visit leaves the unjournaled list (V5)."""
    visit = get_visit_for_staff(request, pk)
    try:
        visit_confirm_journaled(visit=visit, user=request.user)
    except IllegalTransition as refused:
        return render_visit(request, visit, status=409, problem=refused.message)
    target = request.POST.get("next") == "start"
    url = reverse("visits:start") if target else reverse("visits:detail", args=[visit.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
@login_required
def room_presence(request, pk: int) -> HttpResponse:
    """Who is in the visit's video room, re-fetched when someone enters or leaves (R1)."""
    visit = get_visit_for_staff(request, pk)
    return render(request, "visits/_room_presence.html", {"visit": visit})
