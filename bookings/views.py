"""Boka videobesök: the wizard, one step per screen, its state kept in the session."""

from __future__ import annotations

import datetime
import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from accounts.models import CareUnit
from audit.services import Action, Outcome, access_log_write, action_for
from bookings import forms as steps
from bookings.models import (
    Booking,
    ContactType,
    KallelseTemplate,
    ScheduleActivity,
    VisitReason,
)
from bookings.services import (
    booking_cancel,
    booking_create,
    booking_reschedule,
    published_feed,
    self_checkin_feed,
)
from integrations.registry import RegistryError
from patients.access import log_patient_access
from patients.language import in_patient_language, patient_language
from patients.models import Guardian, Patient
from patients.personnummer import format_pnr
from patients.personnummer import parse as parse_pnr
from patients.services import registry_lookup
from videovisit.confirm import Answer, Question, is_confirmed

SESSION_KEY = "booking_wizard"

STEP_LABELS = {
    "patient": gettext_lazy("Patient"),
    "typ": gettext_lazy("Typ av besök"),
    "tid": gettext_lazy("Behandlare och tid"),
    "deltagare": gettext_lazy("Deltagare"),
    "detaljer": gettext_lazy("Uppgifter"),
    "kallelse": gettext_lazy("Kallelse"),
    "bekrafta": gettext_lazy("Bekräfta"),
}


# State ------------------------------------------------------------------------------


class Wizard:
    """The draft booking in the session: per step, what was typed and what it meant."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        state = request.session.get(SESSION_KEY) or {}
        self.values: dict[str, dict] = state.get("values", {})
        self.drafts: dict[str, dict] = state.get("drafts", {})
        self.ctx = self._context()

    def save(self) -> None:
        self.request.session[SESSION_KEY] = {"values": self.values, "drafts": self.drafts}
        self.ctx = self._context()

    def clear(self) -> None:
        self.request.session.pop(SESSION_KEY, None)
        self.values, self.drafts = {}, {}
        self.ctx = self._context()

    def merged(self) -> dict:
        result: dict = {}
        for step in self.steps():
            result |= self.values.get(step, {})
        return result

    def _context(self) -> steps.WizardContext:
        user = self.request.user
        ctx = steps.WizardContext(user=user, request=self.request)
        v = {k: val for step_values in self.values.values() for k, val in step_values.items()}
        if "patient" in v:
            # Scoped on every request: a patient moved out of the user's units is gone (S2).
            ctx.patient = Patient.objects.for_staff(user).filter(pk=v["patient"]).first()
            if ctx.patient is None:
                self.values, self.drafts = {}, {}
                return ctx
        ctx.kind = v.get("kind", "")
        clinicians = steps.clinicians_for(user)
        if "owner" in v:
            ctx.owner = clinicians.filter(pk=v["owner"]).first()
            ctx.participants = list(clinicians.filter(pk__in=v.get("participants", [])))
            ctx.starts_at = datetime.datetime.fromisoformat(v["starts_at"])
            ctx.ends_at = datetime.datetime.fromisoformat(v["ends_at"])
        return ctx

    def steps(self) -> list[str]:
        ctx = self.ctx
        names = ["patient", "typ", "tid"]
        if ctx.kind in {Booking.Kind.RELATIVE_CALL, Booking.Kind.GROUP} or (
                ctx.kind in steps.VIDEO_KINDS and ctx.is_child):
            names.append("deltagare")
        names.append("detaljer")
        contact_type = self.values.get("detaljer", {}).get("contact_type")
        video = contact_type is None or ContactType.objects.filter(
            pk=contact_type, is_video=True).exists()
        if ctx.kind in steps.VIDEO_KINDS and video:
            names.append("kallelse")
        names.append("bekrafta")
        return names

    def first_open(self) -> str:
        return next(s for s in self.steps() if s == "bekrafta" or s not in self.values)

    def reachable(self, step: str) -> bool:
        names = self.steps()
        return step in names and all(s in self.values for s in names[:names.index(step)])

    def form_for(self, step: str, data=None) -> steps.StepForm | None:
        cls = {
            "patient": steps.PatientStep, "typ": steps.KindStep, "tid": steps.TimeStep,
            "detaljer": steps.DetailsStep, "kallelse": steps.KallelseStep,
        }.get(step)
        if step == "deltagare":
            cls = {Booking.Kind.RELATIVE_CALL: steps.RelativeStep,
                   Booking.Kind.GROUP: steps.GroupStep}.get(self.ctx.kind,
                                                            steps.ChildContactsStep)
        if cls is None:
            return None
        return cls(data, ctx=self.ctx, initial=dict(self.drafts.get(step, {})))

    def keep_draft(self, step: str, data) -> None:
        self.drafts[step] = {k: (data.getlist(k) if len(data.getlist(k)) > 1 or
                                 k == "participants" else data.get(k))
                             for k in data if k not in {"csrfmiddlewaretoken", "action"}}

    def store(self, step: str, values: dict) -> None:
        if self.values.get(step) != values:
            names = list(STEP_LABELS)
            later = names[names.index(step) + 1:]
            for name in later:
                self.values.pop(name, None)
            if step == "patient":
                self.drafts = {k: v for k, v in self.drafts.items() if k == "patient"}
        self.values[step] = values


# Summary ----------------------------------------------------------------------------


def when_range(start: datetime.datetime, end: datetime.datetime) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    return f"{formats.date_format(start, 'l j F Y')} {start:%H.%M}–{end:%H.%M}"


def summary(wizard: Wizard) -> list[tuple[str, str]]:
    ctx, v = wizard.ctx, wizard.merged()
    rows: list[tuple[str, str]] = []
    if ctx.patient:
        rows.append((_("Patient"), f"{ctx.patient.list_name}, {ctx.patient.personnummer_display}"))
    if ctx.kind:
        rows.append((_("Typ"), str(Booking.Kind(ctx.kind).label)))
    if ctx.owner:
        rows.append((_("Behandlare"), str(ctx.owner)))
        if ctx.participants:
            rows.append((_("Medverkande"), ", ".join(str(u) for u in ctx.participants)))
        rows.append((_("Tid"), when_range(ctx.starts_at, ctx.ends_at)))
    if v.get("agent"):
        names = {g.pk: g.list_name for g in Guardian.objects.select_related("child")
                 .filter(pk__in=[v["agent"], v["primary_contact"]])}
        rows.append((_("Ombud"), names.get(v["agent"], "")))
        rows.append((_("Primär kontakt"), names.get(v["primary_contact"], "")))
    if v.get("relative"):
        # Whole sentences to translate: xgettext finds no message inside an f-string.
        relative = (_("%(name)s, %(number)s (länk med sms)") if v["relative_channel"] == "sms"
                    else _("%(name)s, %(number)s (länk med e-post)"))
        rows.append((_("Anhörig"), relative % {"name": v["relative_name"],
                                               "number": format_pnr(v["relative"])}))
    if v.get("group_patients"):
        others = Patient.objects.filter(pk__in=v["group_patients"])
        rows.append((_("Fler patienter"), ", ".join(p.list_name for p in others)))
        rows.append((_("Teams-möte"), _("Länk angiven")))
    if "contact_type" in v:
        rows.append((_("Kontakttyp"), str(ContactType.objects.get(pk=v["contact_type"]))))
        rows.append((_("Schemaaktivitet"),
                     str(ScheduleActivity.objects.get(pk=v["schedule_activity"]))))
        rows.append((_("Besöksorsak"), str(VisitReason.objects.get(pk=v["visit_reason"]))))
        rows.append((_("Visa webb"), _("Ja") if v["visa_webb"] else _("Nej")))
    if v.get("kallelse_template"):
        delivery = Booking.Delivery(v["kallelse_delivery"]).label
        rows.append((_("Kallelse"), f"{KallelseTemplate.objects.get(pk=v['kallelse_template'])}"
                                    f" – {delivery}"))
    return rows


# Views ------------------------------------------------------------------------------


def step_url(step: str) -> str:
    return reverse("bookings:step", args=[step])


def render_step(request: HttpRequest, wizard: Wizard, step: str, form=None,
                errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    names = wizard.steps()
    index = names.index(step)
    form = form if form is not None else wizard.form_for(step)
    context = {
        "step": step, "step_label": STEP_LABELS[step], "form": form, "ctx": wizard.ctx,
        "errors": errors or [],
        "steps": [{"name": n, "label": STEP_LABELS[n], "url": step_url(n),
                   "done": n in wizard.values, "current": n == step,
                   "reachable": wizard.reachable(n)} for n in names],
        "step_number": index + 1, "step_count": len(names),
        "previous": names[index - 1] if index else None,
        "summary": summary(wizard), "url": step_url(step),
        "refusal": (wizard.ctx.patient.video_refusal_on(timezone.localdate())
                    if wizard.ctx.patient else None),
    }
    # A history restore after Back in the browser wants the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "bookings/wizard.html#wizard" if partial else "bookings/wizard.html"
    return render(request, template, context, status=status)


def go(request: HttpRequest, wizard: Wizard, step: str) -> HttpResponse:
    """Show another step: in place for htmx, by redirect without JavaScript."""
    if request.htmx:
        return push_url(render_step(request, wizard, step), step_url(step))
    return redirect(step_url(step))


@require_GET
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Boka videobesök: continue the draft where it stands."""
    return redirect(step_url(Wizard(request).first_open()))


@require_POST
@login_required
def restart(request: HttpRequest) -> HttpResponse:
    """Börja om: forget the draft."""
    wizard = Wizard(request)
    wizard.clear()
    return go(request, wizard, "patient")


@require_http_methods(["GET", "POST"])
@login_required
def step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_LABELS:
        raise Http404
    wizard = Wizard(request)
    if not wizard.reachable(step):
        return go(request, wizard, wizard.first_open())
    if step == "bekrafta":
        return confirm(request, wizard)
    if request.method == "GET":
        return render_step(request, wizard, step)

    action = request.POST.get("action", "next")
    wizard.keep_draft(step, request.POST)
    if action == "back":
        wizard.save()
        names = wizard.steps()
        return go(request, wizard, names[max(names.index(step) - 1, 0)])
    if action == "slots":
        # "Visa lediga tider": show the free times for what was chosen, no errors yet.
        wizard.save()
        return render_step(request, wizard, step)
    form = wizard.form_for(step, request.POST)
    if not form.is_valid():
        wizard.save()
        return render_step(request, wizard, step, form=form,
                           status=422 if request.htmx else 200)
    wizard.store(step, form.values())
    wizard.save()
    names = wizard.steps()
    return go(request, wizard, names[names.index(step) + 1])


def booking_kwargs(wizard: Wizard) -> dict:
    """What the wizard gathered, as booking_create's arguments."""
    ctx, v = wizard.ctx, wizard.merged()
    user = ctx.user
    kwargs = {
        "kind": ctx.kind, "owner": ctx.owner, "starts_at": ctx.starts_at,
        "ends_at": ctx.ends_at, "created_by": user,
        "care_unit": ctx.care_unit,
        "contact_type": ContactType.objects.get(pk=v["contact_type"]),
        "schedule_activity": ScheduleActivity.objects.get(pk=v["schedule_activity"]),
        "visit_reason": VisitReason.objects.get(pk=v["visit_reason"]),
        "visa_webb": v["visa_webb"],
    }
    if ctx.kind == Booking.Kind.GROUP:
        kwargs["group_patients"] = [ctx.patient, *Patient.objects.for_staff(user)
                                    .filter(pk__in=v["group_patients"])]
        kwargs["meeting_url"] = v["meeting_url"]
    else:
        kwargs["patient"] = ctx.patient
    if ctx.kind == Booking.Kind.TEAM_OWNER:
        kwargs["participants"] = ctx.participants
        kwargs["participant_activity"] = ScheduleActivity.objects.get(
            pk=v["participant_activity"])
    if v.get("kallelse_template"):
        kwargs["kallelse_template"] = KallelseTemplate.objects.get(pk=v["kallelse_template"])
        kwargs["kallelse_delivery"] = v["kallelse_delivery"]
    if v.get("agent"):
        guardians = ctx.patient.guardians.all()
        kwargs["agent"] = guardians.filter(pk=v["agent"]).first()
        kwargs["primary_contact"] = guardians.filter(pk=v["primary_contact"]).first()
    if ctx.kind == Booking.Kind.RELATIVE_CALL:
        kwargs |= {"relative_channel": v["relative_channel"],
                   "relative_mobile": v["relative_mobile"],
                   "relative_email": v["relative_email"]}
    return kwargs


def confirm(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    if request.method == "GET" or request.POST.get("action") != "book":
        if request.POST.get("action") == "back":
            names = wizard.steps()
            return go(request, wizard, names[-2])
        return render_step(request, wizard, "bekrafta")
    kwargs = booking_kwargs(wizard)
    try:
        if wizard.ctx.kind == Booking.Kind.RELATIVE_CALL:
            try:
                relative = registry_lookup(number=parse_pnr(wizard.merged()["relative"]))
            except RegistryError:
                raise ValidationError(_("Personuppgiftstjänsten svarar inte just nu. Ingenting "
                                        "har bokats. Försök igen om en stund.")) from None
            kwargs["relative"] = relative
        # The booking and its access-log rows commit together, or neither does (S1).
        with transaction.atomic():
            booking = booking_create(**kwargs)
            # The patient, a group's patients, and an Anhörigsamtal's relative (the
            # visit's patient).
            visit_patient = booking.video_visit.patient if booking.video_visit else None
            for patient in {booking.patient, visit_patient,
                            *booking.group_patients.all()} - {None}:
                log_patient_access(request, patient, Action.CREATE, obj=booking)
    except ValidationError as invalid:
        return render_step(request, wizard, "bekrafta", errors=invalid.messages,
                           status=422 if request.htmx else 200)
    wizard.clear()
    messages.success(request, _("Bokningen är klar."))
    url = reverse("bookings:detail", args=[booking.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def get_booking_for_staff(request: HttpRequest, pk: int, action: str | None = None) -> Booking:
    """The booking if it is at one of the user's care units, logged (S1, S2).

    Another unit's booking: a "denied" row and 403. No such booking: 404.
    """
    action = action_for(request, action)
    booking = (Booking.objects.for_staff(request.user)
               .select_related("patient", "clinician", "video_visit", "kallelse_template",
                               "contact_type", "schedule_activity", "visit_reason", "care_unit")
               .filter(pk=pk).first())
    if booking is None:
        other = Booking.objects.select_related("patient", "care_unit").filter(pk=pk).first()
        if other is None:
            raise Http404
        access_log_write(request=request, action=action, outcome=Outcome.DENIED,
                         patient=other.patient, care_unit=other.care_unit, obj=other)
        raise PermissionDenied
    access_log_write(request=request, action=action, patient=booking.patient,
                     care_unit=booking.care_unit, obj=booking)
    return booking


def render_detail(request: HttpRequest, booking: Booking, *, form=None,
                  errors: list[str] | None = None, status: int = 200,
                  confirm: Question | None = None) -> HttpResponse:
    return render(request, "bookings/detail.html", {
        "booking": booking, "when": when_range(booking.starts_at, booking.ends_at),
        "participations": booking.participations.select_related("clinician"),
        "group_patients": booking.group_patients.all(),
        "reschedule_form": form or steps.RescheduleForm(booking=booking),
        "errors": errors or [], "confirm": confirm,
    }, status=status)


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The booking as booked, with Flytta and Avboka (B7)."""
    return render_detail(request, get_booking_for_staff(request, pk))


@require_POST
@login_required
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Flytta: a new free time; the video visit moves along and people are told (B7)."""
    booking = get_booking_for_staff(request, pk)
    form = steps.RescheduleForm(request.POST, booking=booking)
    if request.POST.get("action") != "slots" and form.is_valid():
        start, end = steps.parse_slot(form.cleaned_data["slot"])
        try:
            booking_reschedule(booking=booking, starts_at=start, ends_at=end,
                               user=request.user)
        except ValidationError as invalid:
            return render_detail(request, booking, form=form, errors=invalid.messages,
                                 status=422)
        messages.success(request, _("Bokningen är flyttad och de berörda har fått besked."))
        return redirect("bookings:detail", pk=booking.pk)
    return render_detail(request, booking, form=form,
                         status=200 if request.POST.get("action") == "slots" else 422)


def cancel_question(booking: Booking) -> Question:
    if booking.is_relative_call:
        consequence = _("Anhörigsamtalet och videobesöket avbokas, tiden blir ledig och den "
                        "anhöriga får besked; länken slutar gälla. Patienten får inget "
                        "meddelande. Det går inte att ångra.")
    else:
        consequence = _("Tiden blir ledig, videobesöket avbokas och de som har fått en länk "
                        "eller kallelse får besked; länkarna slutar gälla. Det går inte att "
                        "ångra.")
    return Question(question=_("Vill du avboka bokningen?"), consequence=consequence,
                    action=reverse("bookings:cancel", args=[booking.pk]),
                    answers=(Answer(label=_("Avboka bokningen")),),
                    cancel_url=reverse("bookings:detail", args=[booking.pk]),
                    opener="booking-cancel")


@require_POST
@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Avboka, after a question: the booking, its team bookings and its video visit
    together (B7)."""
    booking = get_booking_for_staff(request, pk)
    if booking.is_active and not is_confirmed(request):
        question = cancel_question(booking)
        if request.htmx:
            return render(request, "bookings/detail.html#cancel-question",
                          {"booking": booking, "confirm": question})
        return render_detail(request, booking, confirm=question)
    url = reverse("bookings:detail", args=[booking.pk])
    try:
        booking_cancel(booking=booking, user=request.user)
    except ValidationError as invalid:
        if request.htmx:  # the page, with why, rather than the page inside the question
            messages.error(request, " ".join(invalid.messages))
            return HttpResponseClientRedirect(url)
        return render_detail(request, booking, errors=invalid.messages, status=422)
    messages.success(request, _("Bokningen är avbokad och de berörda har fått besked."))
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def feed_authorized(request: HttpRequest, token: str) -> bool:
    """Whether a feed's caller sent its bearer token; a feed without one set is off."""
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def feed_query(request: HttpRequest) -> dict:
    """A feed's JSON body, or {} when it is not a JSON object."""
    try:
        query = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return query if isinstance(query, dict) else {}


@csrf_exempt
@require_POST
def published_feed_view(request: HttpRequest) -> JsonResponse:
    """The 1177 portal's feed of one patient's bookings: only published ones (B8, B4).

    Server to server: a bearer token from settings, and the personnummer in a JSON
    body so that it never lands in an access log's URL. Without a token set, off.
    """
    if not feed_authorized(request, settings.BOOKINGS_FEED_TOKEN):
        return JsonResponse({"error": "unauthorized"}, status=401)
    try:
        number = parse_pnr(str(feed_query(request).get("personnummer", "")))
    except (ValueError, ValidationError):
        return JsonResponse({"error": "invalid personnummer"}, status=400)
    patient = Patient.objects.filter(personnummer=number.digits).first()
    return JsonResponse({"bookings": published_feed(patient=patient) if patient else []})


@csrf_exempt
@require_POST
def self_checkin_feed_view(request: HttpRequest) -> JsonResponse:
    """The self check-in system's feed: today's bookings a patient may check in to by
    mobile, of one patient ("personnummer"), one unit ("hsa_id") or both (B8, B4, B3).

    As the 1177 feed: server to server, a bearer token of its own from settings, the
    query in a JSON body; without a token set, off.
    """
    if not feed_authorized(request, settings.SELF_CHECKIN_FEED_TOKEN):
        return JsonResponse({"error": "unauthorized"}, status=401)
    query = feed_query(request)
    number, hsa_id = query.get("personnummer"), query.get("hsa_id")
    if not number and not hsa_id:
        return JsonResponse({"error": "personnummer or hsa_id required"}, status=400)
    try:
        number = parse_pnr(str(number)) if number else None
    except (ValueError, ValidationError):
        return JsonResponse({"error": "invalid personnummer"}, status=400)
    patient = Patient.objects.filter(personnummer=number.digits).first() if number else None
    unit = CareUnit.objects.filter(hsa_id=str(hsa_id)).first() if hsa_id else None
    if (number and patient is None) or (hsa_id and unit is None):
        return JsonResponse({"bookings": []})
    return JsonResponse({"bookings": self_checkin_feed(day=timezone.localdate(),
                                                       patient=patient, care_unit=unit)})


@require_GET
@login_required
def kallelse(request: HttpRequest, pk: int) -> HttpResponse:
    """Skriv ut: the printable one-page kallelse (B2), in the patient's language whatever
    the staff member's page speaks; only the buttons around it follow the page."""
    booking = get_booking_for_staff(request, pk, action=Action.PRINT)
    if booking.kallelse_template is None:
        raise Http404
    with in_patient_language(booking.patient):
        when = when_range(booking.starts_at, booking.ends_at)
    return render(request, "bookings/kallelse.html", {
        "booking": booking, "when": when, "instructions": booking.kallelse_template.body,
        "patient_language": patient_language(booking.patient),
    })

