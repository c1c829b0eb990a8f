from __future__ import annotations

import datetime
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import (
    HttpResponseClientRedirect,
    reswap,
    retarget,
    trigger_client_event,
)

from audit.services import Action
from guests.models import InterpreterAgency, InvitationLink, Participant
from guests.services import (
    link_current,
    link_issue,
    link_url,
    participant_add,
    participant_admit,
    participant_refuse,
    participant_remove,
)
from integrations.services import outbox_resend
from patients.access import find_patient_for_staff, log_patient_access, unit_of_access
from patients.models import Patient
from videovisit.confirm import Answer, Question, is_confirmed
from videovisit.forms import DateField, add_errors
from visits.access import get_visit_for_staff
from visits.forms import (
    ContactsForm,
    GuestFormSet,
    NewVisitForm,
    ParticipantForm,
    RescheduleForm,
)
from visits.models import IllegalTransition, VideoVisit
from visits.services import (
    ContactsChange,
    GuestsRefused,
    JournalingUnanswered,
    visit_change_contacts,
    visit_confirm_journaled,
    visit_create,
    visit_finish,
    visit_reschedule,
    visit_save_notes,
    visit_transition,
)

# Session key of a new visit's links, shown once on its page after the redirect.
NEW_LINKS_KEY = "new_visit_links"
# Prefix of Nytt besök's guest rows.
GUESTS = "guests"


class DayForm(forms.Form):
    dag = DateField(label=_("Datum"), required=False)


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("Anteckningar"), required=False,
                            widget=forms.Textarea(attrs={"rows": 6}))


def url_for_pk(viewname: str, *args) -> Callable[[int], str]:
    """The URL of `viewname` for any pk, reversed once for a list of rows rather than
    once per row. The pk is the view's first argument and an int."""
    marker = str(2**31 - 1)
    before, after = reverse(viewname, args=[int(marker), *args]).split(marker)
    return lambda pk: f"{before}{int(pk)}{after}"


# The start page's rows: the visit's time, state and reason, the patient's name.
START_PAGE_FIELDS = ("starts_at", "ends_at", "state", "reason", "patient__first_name",
                     "patient__last_name", "patient__protected_identity")


@require_GET
@login_required
def start(request) -> HttpResponse:
    """Idag: the signed-in clinician's video visits of a day, in time order (V1)."""
    form = DayForm(request.GET)
    today = timezone.localdate()
    day = form.cleaned_data["dag"] if form.is_valid() and form.cleaned_data["dag"] else today
    visits = VideoVisit.objects
    # Only what the list shows: no personnummer or address of forty patients in memory.
    rows = list(visits.on(day).involving(request.user).with_waiting()
                .select_related("patient").only(*START_PAGE_FIELDS).order_by("starts_at"))
    # Forty rows of times and states: one time-zone and one translation look-up each,
    # not template filters and get_state_display() per row.
    tz = timezone.get_current_timezone()
    states = {value: str(label) for value, label in VideoVisit.State.choices}
    detail_url, receive_url = url_for_pk("visits:detail"), url_for_pk("visits:transition",
                                                                        "receive")
    for visit in rows:
        visit.starts, visit.ends = (visit.starts_at.astimezone(tz).strftime("%H:%M"),
                                    visit.ends_at.astimezone(tz).strftime("%H:%M"))
        visit.state_label = states[visit.state]
        visit.url, visit.receive_url = detail_url(visit.pk), receive_url(visit.pk)
    context = {
        # A date that is no date is said so, with what was typed; the list shows today.
        "day": day, "today": today, "form": form if form.errors else DayForm(initial={"dag": day}),
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "visits": rows,
        "unjournaled": visits.unjournaled_of(request.user).select_related("patient")
        .order_by("starts_at"),
    }
    template = "visits/start.html#visit-rows" if request.htmx and not request.htmx.boosted \
        else "visits/start.html"
    return render(request, template, context)


def render_visit(request, visit: VideoVisit, *, status: int = 200, **context) -> HttpResponse:
    template = "visits/detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#visit-panel"
    context.setdefault("notes_form", NotesForm(initial={"notes": visit.notes}))
    context.setdefault("participants", participants_of(visit))
    return render(request, template, {"visit": visit, **context}, status=status)


@require_GET
@login_required
def detail(request, pk: int) -> HttpResponse:
    """Besökssidan: patient, state, notes and the buttons of the visit's day (V2)."""
    visit = get_visit_for_staff(request, pk)
    created = request.session.get(NEW_LINKS_KEY)
    if created and created["visit"] == visit.pk:
        del request.session[NEW_LINKS_KEY]
        invited = visit.participants.in_bulk([p_pk for p_pk, _url in created["links"]])
        new_links = [(invited[p_pk], url) for p_pk, url in created["links"]]
        sent = visit.participants.active().exclude(channel=Participant.Channel.NONE).count()
        return render_visit(request, visit, editing=True, created=True, sent=sent,
                            new_links=new_links, form=ParticipantForm(),
                            agencies=InterpreterAgency.objects.all())
    return render_visit(request, visit)


@require_GET
@login_required
def panel(request, pk: int) -> HttpResponse:
    """The visit page's live part, re-fetched when the visit changes (R1)."""
    visit = get_visit_for_staff(request, pk)
    return render(request, "visits/detail.html#visit-panel",
                  {"visit": visit, "notes_form": NotesForm(initial={"notes": visit.notes})})


TRANSITION_ACTIONS = {"receive", "start", "start_meeting", "end_meeting", "cancel"}


def visit_question(visit: VideoVisit, action: str) -> Question:
    """What the visit page asks before Avboka, Avsluta videomöte and Avsluta besök."""
    url = (reverse("visits:finish", args=[visit.pk]) if action == "finish"
           else reverse("visits:transition", args=[visit.pk, action]))
    if action == "cancel":
        question, label = _("Vill du avboka besöket?"), _("Avboka besöket")
        consequence = _("De som har fått en länk får besked om att besöket är avbokat, och "
                        "länkarna slutar gälla. Det går inte att ångra.")
        if visit.bookings.exists():
            booking_too = _("Bokningen avbokas också, så att tiden blir ledig.")
            consequence = f"{booking_too} {consequence}"
    elif action == "end_meeting":
        question, label = _("Vill du avsluta videomötet?"), _("Avsluta videomötet")
        consequence = _("Alla i mötet kopplas ner, och mötet kan inte startas igen. Besöket "
                        "avslutar du sedan med Avsluta besök.")
    else:
        question, label = _("Vill du avsluta besöket?"), _("Avsluta besöket")
        consequence = _("Länkarna slutar gälla och ingen kan komma in i videorummet längre. "
                        "Det går inte att ångra.")
    return Question(question=str(question), consequence=str(consequence), action=url,
                    answers=(Answer(label=str(label)),),
                    cancel_url=reverse("visits:detail", args=[visit.pk]),
                    opener=f"action-{action}", target="#visit-panel", sync="#visit-panel:replace",
                    include="#id_notes" if action == "finish" else "")


def ask_on_visit_page(request, visit: VideoVisit, question: Question) -> HttpResponse:
    """The question apart from the live panel, so that a colleague's update of the visit
    cannot sweep it away before it is answered; without JavaScript, on the whole page."""
    if not request.htmx:
        return render_visit(request, visit, confirm=question)
    response = render(request, "visits/detail.html#visit-dialog",
                      {"visit": visit, "confirm": question})
    return reswap(retarget(response, "#visit-dialog"), "outerHTML")


@require_POST
@login_required
def transition(request, pk: int, action: str) -> HttpResponse:
    """Ta emot, Starta besök, Starta/Avsluta videomöte, Avboka; 409 when not allowed now (V3).

    Avboka and Avsluta videomöte ask first: without the answer nothing changes.
    """
    if action not in TRANSITION_ACTIONS:
        raise Http404
    visit = get_visit_for_staff(request, pk)
    if action in {"cancel", "end_meeting"} and visit.allows(action) \
            and not is_confirmed(request):
        return ask_on_visit_page(request, visit, visit_question(visit, action))
    from_start = request.POST.get("from") == "start"
    try:
        visit = visit_transition(visit=visit, action=action, user=request.user)
    except IllegalTransition as refused:
        if from_start:
            # A colleague got there first: the visit page shows where it stands.
            messages.error(request, refused.message)
            url = reverse("visits:detail", args=[visit.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        visit.refresh_from_db()
        return render_visit(request, visit, status=409, problem=refused.message,
                            clear_dialog=bool(request.htmx))
    if action == "receive" and from_start:
        url = reverse("visits:detail", args=[visit.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if not request.htmx:
        return redirect("visits:detail", pk=visit.pk)
    return render_visit(request, visit, clear_dialog=True)


def journal_question(visit: VideoVisit) -> Question:
    """Avsluta besök with notes: are they in VAS? Either answer finishes the visit (V5)."""
    return Question(
        question=str(_("Är anteckningarna journalförda i VAS?")),
        consequence=str(_("Besöket avslutas i båda fallen. Om du svarar nej ligger besöket kvar "
                          "under ”Anteckningar som inte är journalförda” på startsidan tills "
                          "du bekräftar.")),
        action=reverse("visits:finish", args=[visit.pk]),
        answers=(Answer(label=str(_("Ja, journalfört – avsluta besök")), name="journaled",
                        value="yes", primary=True),
                 Answer(label=str(_("Inte än – avsluta besök")), name="journaled",
                        value="no")),
        cancel_url=reverse("visits:detail", args=[visit.pk]), opener="action-finish",
        target="#visit-panel", sync="#visit-panel:replace", include="#id_notes")


@require_POST
@login_required
def finish(request, pk: int) -> HttpResponse:
    """Avsluta besök, after a question: with notes, whether they are recorded in VAS
    (V2, V5); without, whether to end the visit at all."""
    visit = get_visit_for_staff(request, pk)
    answer = request.POST.get("journaled")
    journaled = {"yes": True, "no": False}.get(answer)
    typed = request.POST.get("notes")
    try:
        if typed is not None and typed != visit.notes:
            # Notes typed but not saved go with "Avsluta besök", so the question
            # about VAS is asked about them too (V5).
            visit = visit_save_notes(visit=visit, notes=typed, user=request.user)
        if journaled is None and not visit.notes and visit.allows("finish") \
                and not is_confirmed(request):
            return ask_on_visit_page(request, visit, visit_question(visit, "finish"))
        visit = visit_finish(visit=visit, user=request.user, journaled=journaled)
    except JournalingUnanswered:
        return ask_on_visit_page(request, visit, journal_question(visit))
    except (IllegalTransition, ValidationError) as refused:
        visit.refresh_from_db()
        message = getattr(refused, "message", None) or " ".join(refused.messages)
        return render_visit(request, visit, status=409, problem=message,
                            clear_dialog=bool(request.htmx))
    if not request.htmx:
        return redirect("visits:detail", pk=visit.pk)
    response = render_visit(request, visit, clear_dialog=True)
    trigger_client_event(response, "notes-changed")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def notes(request, pk: int) -> HttpResponse:
    """The notes section: apart from the live panel, so what is typed survives its updates."""
    visit = get_visit_for_staff(request, pk)
    if request.method == "GET":
        return render(request, "visits/detail.html#notes",
                      {"visit": visit, "notes_form": NotesForm(initial={"notes": visit.notes})})
    form = NotesForm(request.POST)
    context = {"visit": visit, "notes_form": form}
    status = 200
    if form.is_valid():
        try:
            visit = visit_save_notes(visit=visit, notes=form.cleaned_data["notes"],
                                     user=request.user)
        except ValidationError as error:
            context["notes_problem"], status = " ".join(error.messages), 409
        else:
            context |= {"visit": visit, "notes_saved": True}
    if not request.htmx:
        return redirect("visits:detail", pk=visit.pk)
    return render(request, "visits/detail.html#notes", context, status=status)


@require_POST
@login_required
def confirm_journaled(request, pk: int) -> HttpResponse:
    """Notes are recorded in VAS: the visit leaves the unjournaled list (V5)."""
    visit = get_visit_for_staff(request, pk)
    target = request.POST.get("next") == "start"
    try:
        visit_confirm_journaled(visit=visit, user=request.user)
    except IllegalTransition as refused:
        if not target:
            return render_visit(request, visit, status=409, problem=refused.message)
        messages.error(request, refused.message)
    url = reverse("visits:start") if target else reverse("visits:detail", args=[visit.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# Redigera deltagare (DESIGN G1–G5): works before and during the meeting, since
# only the participants section of the visit page is swapped.


def participants_of(visit: VideoVisit):
    """Active participants, each marked whether a valid link of theirs was opened."""
    opened = InvitationLink.objects.filter(participant=OuterRef("pk"), revoked_at__isnull=True,
                                           redeemed_at__isnull=False)
    return visit.participants.active().annotate(link_opened=Exists(opened))


def render_participants(request, visit: VideoVisit, *, status: int = 200,
                        editing: bool = True, **context) -> HttpResponse:
    template = "visits/_participants.html" if request.htmx else "visits/detail.html"
    return render(request, template, {
        "visit": visit, "editing": editing,
        "participants": participants_of(visit),
        "agencies": InterpreterAgency.objects.all(),
        "notes_form": NotesForm(initial={"notes": visit.notes}), **context,
    }, status=status)


@require_GET
@login_required
def participants(request, pk: int) -> HttpResponse:
    """The participants section; with ?redigera=1 the editor, ?tolk=<id> the agency preset."""
    visit = get_visit_for_staff(request, pk)
    if "redigera" not in request.GET:
        return render_participants(request, visit, editing=False)
    agency_id = request.GET.get("tolk", "")
    if agency_id.isdigit():
        agency = InterpreterAgency.objects.filter(pk=agency_id).first()
        form = ParticipantForm.for_interpreter(agency) if agency else ParticipantForm()
    else:
        form = ParticipantForm()
    return render_participants(request, visit, form=form)


@require_POST
@login_required
def participant_add_view(request, pk: int) -> HttpResponse:
    visit = get_visit_for_staff(request, pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            participant, token = participant_add(
                visit=visit, kind=data["kind"], first_name=data["first_name"],
                last_name=data["last_name"], mobile=data["mobile"], email=data["email"],
                channel=data["channel"], agency=data["agency"],
                admit_directly=data["admit_directly"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            return render_participants(request, visit, form=ParticipantForm(),
                                       new_links=[(participant, link_url(token))])
    return render_participants(request, visit, form=form, status=422)


def participant_question(visit: VideoVisit, participant: Participant, *,
                         remove: bool) -> Question:
    """What Redigera deltagare asks before Ta bort and Ny länk: both end a link (G5)."""
    name = participant.full_name
    if remove:
        question = _("Vill du ta bort %(name)s?") % {"name": name}
        label, url = _("Ta bort %(name)s") % {"name": name}, "visits:participant-remove"
        consequence = _("Länken slutar gälla direkt, och den som är i videomötet med den "
                        "kopplas ner.")
    else:
        question = _("Vill du göra en ny länk för %(name)s?") % {"name": name}
        label, url = _("Gör en ny länk"), "visits:participant-link"
        consequence = _("Länken som %(name)s har nu slutar gälla direkt, också om den redan "
                        "är lämnad vidare, till exempel till tolkförmedlingen. Den nya visas "
                        "här för att kopieras. Vill du bara se länken igen, välj Visa länk."
                        ) % {"name": name}
    action = "remove" if remove else "relink"
    return Question(question=question, consequence=consequence,
                    action=reverse(url, args=[visit.pk, participant.pk]),
                    answers=(Answer(label=label),),
                    cancel_url=reverse("visits:participants", args=[visit.pk]) + "?redigera=1",
                    opener=f"participant-{action}-{participant.pk}", target="#participants")


@require_POST
@login_required
def participant_remove_view(request, pk: int, participant_pk: int) -> HttpResponse:
    """Ta bort, after a question: the participant's link stops at once (G5)."""
    visit = get_visit_for_staff(request, pk)
    participant = get_object_or_404(visit.participants.active(), pk=participant_pk)
    if participant.is_removable and not is_confirmed(request):
        return render_participants(request, visit, form=ParticipantForm(),
                                   participant_confirm=participant_question(
                                       visit, participant, remove=True))
    try:
        participant_remove(participant=participant)
    except ValidationError as error:
        return render_participants(request, visit, form=ParticipantForm(), status=409,
                                   problem=" ".join(error.messages))
    return render_participants(request, visit, form=ParticipantForm(),
                               removed=participant.full_name)


@require_POST
@login_required
def participant_copy_link_view(request, pk: int, participant_pk: int) -> HttpResponse:
    """Visa länk: the participant's link that holds now, to copy again; nothing is
    revoked, so a link given to the agency keeps working (G3, G5). A POST, since it
    hands out a way in, and logged like a look at whose link it is (S1)."""
    visit = get_visit_for_staff(request, pk, action=Action.VIEW)
    participant = get_object_or_404(visit.participants.active(), pk=participant_pk)
    try:
        token = link_current(participant=participant)
    except ValidationError as error:
        return render_participants(request, visit, form=ParticipantForm(), status=409,
                                   problem=" ".join(error.messages))
    log_patient_access(request, visit.patient, Action.VIEW, obj=participant)
    return render_participants(request, visit, form=ParticipantForm(), link_again=True,
                               new_links=[(participant, link_url(token))])


@require_POST
@login_required
def participant_link_view(request, pk: int, participant_pk: int) -> HttpResponse:
    """Ny länk, after a question: a fresh link to copy; the earlier one stops working
    (G3, G5)."""
    visit = get_visit_for_staff(request, pk)
    participant = get_object_or_404(visit.participants.active(), pk=participant_pk)
    if not is_confirmed(request):
        return render_participants(request, visit, form=ParticipantForm(),
                                   participant_confirm=participant_question(
                                       visit, participant, remove=False))
    token = link_issue(participant=participant)
    return render_participants(request, visit, form=ParticipantForm(),
                               new_links=[(participant, link_url(token))])


@login_required
@require_http_methods(["GET", "POST"])
def new_visit(request) -> HttpResponse:
    """A visit without timebook integration: "Skapa och skicka inbjudningar" (V4).

    A child's guardians are offered as primary contact and agent once the number is
    known, and "Lägg till gäst", "Bjud in tolk" and "Ta bort" post the form back with
    a guest row more or less, so the form may take several rounds; it works without
    JavaScript, and htmx swaps only the form.
    """
    if request.method == "GET":
        form = NewVisitForm(user=request.user,
                            initial={"day": timezone.localdate(), "minutes": 30})
        return render_new_visit(request, form, GuestFormSet(prefix=GUESTS))
    form, patient = bind_new_visit_form(request)
    guest_action = "guest_add" in request.POST or "guest_remove" in request.POST
    if guest_action or (patient is not None and form.asks_for_agent
                        and "agent" not in request.POST):
        # A guest row added or removed, or for a child the guardians offered in a
        # first round: what was typed comes back without being called an error.
        return new_visit_again(request, form, patient)
    guests = bind_guests(request)
    if form.is_valid() and guests.is_valid():
        try:
            # The visit and its access-log row commit together, or neither does (S1).
            with transaction.atomic():
                visit, invited = create_from_form(request, form, guests, patient)
                log_patient_access(request, patient, Action.CREATE, obj=visit)
        except GuestsRefused as refused:
            for index, error in refused.by_guest.items():
                add_errors(guests.forms[index], error)
        except ValidationError as error:
            add_errors(form, error)
        else:
            # Shown once on the visit page, then gone: only their hashes are kept
            # (G5). The patient's or agent's link, and those of guests who get none
            # sent, whose link staff copy (G3).
            request.session[NEW_LINKS_KEY] = {
                "visit": visit.pk,
                "links": [(participant.pk, link_url(token)) for participant, token in invited
                          if participant.requires_eid
                          or participant.channel == Participant.Channel.NONE]}
            url = reverse("visits:detail", args=[visit.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render_new_visit(request, form, guests, patient=patient, status=422)


def render_new_visit(request, form: NewVisitForm, guests: GuestFormSet, *,
                     patient: Patient | None = None, status: int = 200,
                     **context) -> HttpResponse:
    template = "visits/new.html"
    if request.htmx and not request.htmx.boosted:
        template += "#new-visit-form"
    return render(request, template, {
        "form": form, "guests": guests, "patient": patient,
        "agencies": InterpreterAgency.objects.all(), **context}, status=status)


def new_visit_again(request, form: NewVisitForm, patient: Patient | None) -> HttpResponse:
    """The form as posted, not validated, with a guest row added or removed if asked."""
    guardians = patient.guardians.all() if patient is not None and form.asks_for_agent \
        else None
    initial = request.POST.dict() | {"staff": request.POST.getlist("staff")}
    form = NewVisitForm(user=request.user, guardians=guardians, initial=initial)
    posted = bind_guests(request)
    rows = [{field.name: field.value() for field in row} for row in posted.forms]
    added = "guest_add" in request.POST
    if added:
        agency_id = request.POST["guest_add"]
        agency = (InterpreterAgency.objects.filter(pk=agency_id).first()
                  if agency_id.isdigit() else None)
        # "Bjud in tolk" fills in the agency's preset, as in Redigera deltagare (G3).
        rows.append(ParticipantForm.for_interpreter(agency).initial if agency else {})
    removed = request.POST.get("guest_remove", "")
    if removed.isdigit() and int(removed) < len(rows):
        del rows[int(removed)]
    guests = GuestFormSet(initial=rows, prefix=GUESTS)
    if added:
        # Focus goes to the new row, after a swap by htmx or a page load alike.
        guests.forms[-1].fields["kind"].widget.attrs["autofocus"] = True
    return render_new_visit(request, form, guests, patient=patient,
                            guest_removed=removed.isdigit())


def bind_guests(request) -> GuestFormSet:
    data = request.POST
    if f"{GUESTS}-TOTAL_FORMS" not in data:
        # Posted by a form without guest rows (one opened before they came): none.
        data = data.copy()
        data.update({f"{GUESTS}-TOTAL_FORMS": "0", f"{GUESTS}-INITIAL_FORMS": "0"})
    return GuestFormSet(data, prefix=GUESTS)


def bind_new_visit_form(request) -> tuple[NewVisitForm, Patient | None]:
    form = NewVisitForm(request.POST, user=request.user)
    if not form.is_valid() and "personnummer" in form.errors:
        return form, None
    patient = find_patient_for_staff(request, form.cleaned_data["personnummer"].digits)
    if patient is None:
        form.add_error("personnummer", _("Patienten finns inte på din enhet. Sök och skapa "
                                         "patienten först under Sök patient."))
        return form, None
    day = form.cleaned_data.get("day") or timezone.localdate()
    guardians = patient.guardians.all() if patient.is_child_on(day) else None
    return NewVisitForm(request.POST, user=request.user, guardians=guardians), patient


def create_from_form(request, form: NewVisitForm, guests: GuestFormSet, patient: Patient):
    # The unit the user reaches the patient through, as on the patient page.
    unit = unit_of_access(request.user, patient)
    data = form.cleaned_data
    starts_at, ends_at = form.times()
    return visit_create(
        patient=patient, care_unit=unit, owner=request.user, starts_at=starts_at,
        ends_at=ends_at, reason=data["reason"],
        staff=list(data["staff"]), primary_contact=data["primary_contact"], agent=data["agent"],
        guests=guests.cleaned_data)


@require_POST
@login_required
def message_resend(request, pk: int, message_pk: int) -> HttpResponse:
    """Skicka igen: a failed invitation or notice goes out again (N1)."""
    visit = get_visit_for_staff(request, pk)
    message = get_object_or_404(visit.messages.all(), pk=message_pk)
    try:
        outbox_resend(message=message)
    except ValidationError as error:
        return render_participants(request, visit, editing=False, status=409,
                                   problem=" ".join(error.messages))
    return render_participants(request, visit, editing=False, resent=True)


@require_GET
@login_required
def room_presence(request, pk: int) -> HttpResponse:
    """Who is in the visit's video room, re-fetched when someone enters or leaves (R1)."""
    visit = get_visit_for_staff(request, pk)
    return render(request, "visits/_room_presence.html", {"visit": visit})


def room_admission(request, pk: int, participant_pk: int, *, admit: bool) -> HttpResponse:
    """Släpp in or Neka one person waiting while the meeting is live (R2).

    The answer says what was done, in a place of its own that the room's live updates
    leave alone, and takes focus there; the waiting list comes with it.
    """
    visit = get_visit_for_staff(request, pk)
    participant = get_object_or_404(visit.participants.all(), pk=participant_pk)
    name = participant.full_name
    try:
        if admit:
            participant_admit(participant=participant)
            said = _("%(name)s är insläppt i videomötet.") % {"name": name}
        else:
            participant_refuse(participant=participant)
            said = _("%(name)s släpps inte in och har fått veta det i väntrummet.") % {
                "name": name}
    except ValidationError as error:
        problem, said, status = " ".join(error.messages), "", 409
    else:
        problem, status = "", 200
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        else:
            messages.success(request, said)
        return redirect("visits:detail", pk=visit.pk)
    # The refused person's socket closes a moment later and the list is fetched again;
    # this answer must not bring them back if that fetch arrives first.
    gone = participant.pk if not admit and not problem else None
    return render(request, "visits/_room_admission.html",
                  {"visit": visit, "said": said, "problem": problem, "gone": gone},
                  status=status)


@require_POST
@login_required
def room_admit(request, pk: int, participant_pk: int) -> HttpResponse:
    return room_admission(request, pk, participant_pk, admit=True)


@require_POST
@login_required
def room_refuse(request, pk: int, participant_pk: int) -> HttpResponse:
    return room_admission(request, pk, participant_pk, admit=False)


# Byt ombud / primär kontakt (DESIGN P5): an editor outside the live panel, so that a
# colleague's update of the visit does not sweep away what is being chosen.


def render_contacts(request, visit: VideoVisit, *, status: int = 200,
                    **context) -> HttpResponse:
    if not request.htmx:
        return render_visit(request, visit, status=status, **context)
    return render(request, "visits/detail.html#contacts-editor", {"visit": visit, **context},
                  status=status)


def contacts_saved_message(change: ContactsChange) -> str:
    if not change.changed:
        return _("Inget är ändrat: primär kontakt och ombud är desamma som tidigare.")
    said = []
    if "agent" in change.changed:
        said.append(_("Ombudet är bytt. Det nya ombudet får inbjudan som sms, och det "
                      "tidigare ombudets länk gäller inte längre."))
    if "primary_contact" in change.changed:
        said.append(_("Primär kontakt är ändrad."))
    return " ".join(str(sentence) for sentence in said)


def agent_question(visit: VideoVisit, form: ContactsForm) -> Question:
    """Byt ombud ends the agent's link: asked before it is done (P5, G5)."""
    old, new = visit.agent.list_name, form.cleaned_data["agent"].list_name
    return Question(
        question=str(_("Vill du byta ombud till %(new)s?") % {"new": new}),
        consequence=str(_("Länken som %(old)s har slutar gälla direkt, och %(new)s får en ny "
                          "länk som sms.") % {"old": old, "new": new}),
        action=reverse("visits:contacts", args=[visit.pk]),
        answers=(Answer(label=str(_("Byt ombud"))),),
        cancel_url=reverse("visits:contacts", args=[visit.pk]) + "?redigera=1",
        opener="contacts-save", target="#contacts-editor",
        fields=(("primary_contact", str(form.cleaned_data["primary_contact"].pk)),
                ("agent", str(form.cleaned_data["agent"].pk))))


@login_required
@require_http_methods(["GET", "POST"])
def contacts(request, pk: int) -> HttpResponse:
    """Byt ombud / primär kontakt for a child's visit; ?redigera=1 opens the editor (P5).

    Works without JavaScript: the editor is then part of the whole visit page, and a
    change redirects back to it.
    """
    visit = get_visit_for_staff(request, pk)
    if not visit.is_for_child:
        raise Http404  # an adult's visit has no guardians to choose among
    refused = _("Besöket är avslutat eller avbokat; primär kontakt och ombud kan inte ändras.")
    if request.method == "GET":
        if "redigera" not in request.GET:
            return render_contacts(request, visit) if request.htmx else \
                redirect("visits:detail", pk=visit.pk)
        if not visit.contacts_changeable:
            return render_contacts(request, visit, status=409, contacts_problem=refused)
        return render_contacts(request, visit, contacts_form=ContactsForm(visit=visit))
    form = ContactsForm(request.POST, visit=visit)
    if form.is_valid():
        new_agent = form.cleaned_data["agent"]
        if new_agent != visit.agent and visit.agent is not None and visit.contacts_changeable \
                and not is_confirmed(request):
            # The agent's link stops working: asked first, the choice kept below it.
            return render_contacts(request, visit, contacts_form=form,
                                   contacts_confirm=agent_question(visit, form))
        try:
            with transaction.atomic():
                change = visit_change_contacts(
                    visit=visit, user=request.user,
                    primary_contact=form.cleaned_data["primary_contact"],
                    agent=form.cleaned_data["agent"])
                # The access helper logged the change of the visit; the rows it made on
                # the way are the patient's data too, logged with them (S1).
                if change.booking is not None:
                    log_patient_access(request, visit.patient, Action.UPDATE,
                                       obj=change.booking)
                if change.agent_participant is not None:
                    log_patient_access(request, visit.patient, Action.CREATE,
                                       obj=change.agent_participant)
        except ValidationError as error:
            add_errors(form, error)
        else:
            saved = contacts_saved_message(change)
            if not request.htmx:
                messages.success(request, saved)
                return redirect("visits:detail", pk=visit.pk)
            response = render_contacts(request, change.visit, contacts_saved=saved)
            if change.changed:
                # This page's panel and participants show the change at once, before
                # the socket's event; other pages on the visit hear it from the socket.
                trigger_client_event(response, f"visit-changed-{visit.pk}")
            return response
    return render_contacts(request, visit, status=422, contacts_form=form)


def render_reschedule(request, visit: VideoVisit, *, status: int = 200,
                      **context) -> HttpResponse:
    if not request.htmx:
        return render_visit(request, visit, status=status, **context)
    return render(request, "visits/detail.html#reschedule-editor",
                  {"visit": visit, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def reschedule(request, pk: int) -> HttpResponse:
    """Flytta: a new time for a visit that has not begun; ?redigera=1 opens the editor (B7).

    Everyone sent a link is told the new time; a booked visit moves with its booking.
    Works without JavaScript: the editor is then part of the whole visit page, and a
    move redirects back to it.
    """
    visit = get_visit_for_staff(request, pk)
    refused = _("Besöket har redan börjat, är avslutat eller avbokat och kan inte flyttas.")
    if request.method == "GET":
        if "redigera" not in request.GET:
            return render_reschedule(request, visit) if request.htmx else \
                redirect("visits:detail", pk=visit.pk)
        if not visit.allows("cancel"):
            return render_reschedule(request, visit, status=409, reschedule_problem=refused)
        booking = visit.bookings.filter(team_owner_booking__isnull=True,
                                        cancelled_at__isnull=True).first()
        if booking is not None:
            # A booked visit moves to a free time of the schedule, which the booking
            # page offers (B7); the service refuses any other time from here too.
            url = reverse("bookings:detail", args=[booking.pk]) + "#change-heading"
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        return render_reschedule(request, visit, reschedule_form=RescheduleForm.for_visit(visit))
    form = RescheduleForm.for_visit(visit, request.POST)
    if form.is_valid():
        starts_at, ends_at = form.times()
        try:
            moved = visit_reschedule(visit=visit, starts_at=starts_at, ends_at=ends_at,
                                     user=request.user)
        except IllegalTransition:
            visit.refresh_from_db()
            return render_reschedule(request, visit, status=409, reschedule_problem=refused)
        except ValidationError as error:
            add_errors(form, error)
        else:
            local = timezone.localtime(moved.starts_at)
            said = _("Besöket är flyttat till %(day)s kl. %(time)s. De som har fått en länk "
                     "får ett meddelande om den nya tiden; länken är densamma.") % {
                "day": formats.date_format(local, "l j F"), "time": f"{local:%H.%M}"}
            if not request.htmx:
                messages.success(request, said)
                return redirect("visits:detail", pk=visit.pk)
            response = render_reschedule(request, moved, reschedule_saved=said)
            # The panel shows the new time; a colleague's page hears it from the socket.
            trigger_client_event(response, f"visit-changed-{visit.pk}")
            return response
    return render_reschedule(request, visit, status=422, reschedule_form=form)
