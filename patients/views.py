from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from integrations.registry import RegistryError, RegistryPerson
from patients.access import find_patient_for_staff, get_patient_for_staff, log_patient_created
from patients.fields import format_mobile
from patients.forms import ContactForm, CreatePatientForm, GuardianContactForm, SearchForm
from patients.models import Patient, age_on, needs_own_mobile
from patients.personnummer import Personnummer, format_pnr
from patients.services import (
    guardian_update_contact,
    patient_refresh,
    patient_register,
    patient_update_contact,
    registry_lookup,
)
from videovisit.forms import add_errors

REGISTRY_DOWN = gettext_lazy("Personuppgiftstjänsten svarar inte just nu. Ingenting har sparats. "
                  "Försök igen om en stund.")


def render_search(request, context: dict, status: int = 200) -> HttpResponse:
    template = "patients/search.html#search-result" if request.htmx else "patients/search.html"
    context.setdefault("form", SearchForm())
    return render(request, template, context, status=status)


def create_form_for(person: RegistryPerson, data=None, *, initial: dict | None = None
                    ) -> CreatePatientForm:
    age = age_on(person.birth_date, timezone.localdate())
    # Known at another unit with a mobile: left empty, it stays as it is (P3).
    known_mobile = Patient.objects.filter(personnummer=person.personnummer).exclude(mobile="")
    return CreatePatientForm(
        data, initial={"personnummer": format_pnr(person.personnummer), **(initial or {})},
        # Its own ids: the search form above already has an id_personnummer.
        auto_id="create_%s",
        mobile_required=needs_own_mobile(age, has_eid=person.has_eid)
        and not known_mobile.exists())


def render_registry_answer(request, number: Personnummer, *, retry: dict,
                           create_data=None) -> HttpResponse:
    """What the registry says about an unknown number: a prefilled "Skapa patient" (P3),
    no such person, or that it did not answer, with a retry that keeps what was typed."""
    context = {"form": SearchForm(initial={"personnummer": str(number)}), "number": number}
    try:
        person = registry_lookup(number=number)
    except RegistryError:
        return render_search(request, context | {"registry_error": REGISTRY_DOWN,
                                                 "retry": retry})
    if person is None:
        return render_search(request, context | {"not_found": True})
    # An unknown number here may still be a patient of another unit; nothing of
    # theirs is shown: the form starts empty and the card says nothing of it (S2).
    form = create_form_for(person, create_data)
    if create_data is not None and form.is_valid():
        try:
            # The patient and the access-log row commit together, or neither does (S1).
            with transaction.atomic():
                patient = patient_register(person=person, mobile=form.cleaned_data["mobile"],
                                           email=form.cleaned_data["email"],
                                           user=request.user)
                log_patient_created(request, patient)
        except ValidationError as error:
            add_errors(form, error)
        else:
            url = reverse("patients:detail", args=[patient.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render_search(request, context | {
        "person": person, "age": age_on(person.birth_date, timezone.localdate()),
        "create_form": form,
    }, status=422 if create_data is not None and request.htmx else 200)



@login_required
@require_http_methods(["GET", "POST"])
def search(request) -> HttpResponse:
    """Sök patient: one full personnummer, posted so it never lands in a URL (P1)."""
    if request.method == "GET":
        return render_search(request, {})
    form = SearchForm(request.POST)
    if not form.is_valid():
        return render_search(request, {"form": form}, status=422 if request.htmx else 200)
    number: Personnummer = form.cleaned_data["personnummer"]
    patient = find_patient_for_staff(request, number.digits)
    if patient is not None:
        return render_search(request, {"form": form, "patient": patient})
    return render_registry_answer(
        request, number,
        retry={"url": reverse("patients:search"), "fields": {"personnummer": str(number)}})


@login_required
@require_POST
def create(request) -> HttpResponse:
    """Skapa patient from the registry's record and the contact details staff add (P3, P4)."""
    # The number comes back from the card the search showed, but it is a posted
    # value like any other: checked as a typed one is, and refused with the same message.
    search_form = SearchForm(request.POST)
    if not search_form.is_valid():
        return render_search(request, {"form": search_form},
                             status=422 if request.htmx else 200)
    number: Personnummer = search_form.cleaned_data["personnummer"]
    fields = {k: request.POST.get(k, "") for k in ["personnummer", "mobile", "email"]}
    return render_registry_answer(
        request, number, create_data=request.POST,
        retry={"url": reverse("patients:create"), "fields": fields})


def render_patient(request, patient: Patient, tab: str, context: dict | None = None,
                   status: int = 200) -> HttpResponse:
    template = f"patients/{tab}.html"
    if request.htmx and not request.htmx.boosted:
        template += "#tab-panel"
    today = timezone.localdate()
    return render(request, template, {
        "patient": patient, "tab": tab, "age": patient.age_on(today),
        "refusal": patient.video_refusal_on(today), **(context or {}),
    }, status=status)


@login_required
def detail(request, pk: int) -> HttpResponse:
    """Patient – Översikt: contact, e-ID and protected identity (P8)."""
    patient = get_patient_for_staff(request, pk)
    form = ContactForm(initial={"mobile": format_mobile(patient.mobile), "email": patient.email},
                       mobile_required=patient.needs_own_mobile_on(timezone.localdate()))
    return render_patient(request, patient, "overview", {"contact_form": form})


@login_required
@require_POST
def update_contact(request, pk: int) -> HttpResponse:
    patient = get_patient_for_staff(request, pk)
    form = ContactForm(request.POST,
                       mobile_required=patient.needs_own_mobile_on(timezone.localdate()))
    if form.is_valid():
        try:
            patient_update_contact(patient=patient, mobile=form.cleaned_data["mobile"],
                                   email=form.cleaned_data["email"])
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        return render_patient(request, patient, "overview", {"contact_form": form},
                              status=422 if request.htmx else 200)
    form = ContactForm(initial={"mobile": format_mobile(patient.mobile), "email": patient.email},
                       mobile_required=patient.needs_own_mobile_on(timezone.localdate()))
    return render_patient(request, patient, "overview",
                          {"contact_form": form, "saved": _("Kontaktuppgifterna är sparade.")})


@login_required
@require_POST
def refresh(request, pk: int) -> HttpResponse:
    """Uppdatera från personuppgiftstjänsten: e-ID, protected identity, guardians (P3, P6, P8)."""
    patient = get_patient_for_staff(request, pk)
    context = {}
    try:
        # Stored normalised when the patient was created; not judged again against today.
        person = registry_lookup(number=Personnummer(patient.personnummer))
    except RegistryError:
        context["registry_problem"] = REGISTRY_DOWN
    else:
        if person is None:
            context["registry_problem"] = _("Personuppgiftstjänsten känner inte längre till "
                                            "numret. Ingenting har ändrats.")
        else:
            patient = patient_refresh(patient=patient, person=person, user=request.user)
            context["refreshed"] = _("Uppgifterna är uppdaterade från "
                                     "personuppgiftstjänsten.")
    context["contact_form"] = ContactForm(
        initial={"mobile": format_mobile(patient.mobile), "email": patient.email},
        mobile_required=patient.needs_own_mobile_on(timezone.localdate()))
    return render_patient(request, patient, "overview", context,
                          status=503 if "registry_problem" in context and request.htmx
                          else 200)


@login_required
def relations(request, pk: int) -> HttpResponse:
    """Patient – Relationer: the guardians, among whom each visit's agent is chosen (P5)."""
    patient = get_patient_for_staff(request, pk)
    return render_patient(request, patient, "relations", {"guardian_forms": [
        (g, GuardianContactForm(initial={"mobile": format_mobile(g.mobile), "email": g.email},
                                prefix=f"g{g.pk}"))
        for g in patient.guardians.all()
    ]})


@login_required
@require_POST
def update_guardian(request, pk: int, guardian_pk: int) -> HttpResponse:
    patient = get_patient_for_staff(request, pk)
    guardian = get_object_or_404(patient.guardians, pk=guardian_pk)
    form = GuardianContactForm(request.POST, prefix=f"g{guardian.pk}")
    saved = None
    if form.is_valid():
        guardian_update_contact(guardian=guardian, mobile=form.cleaned_data["mobile"],
                                email=form.cleaned_data["email"])
        saved = guardian.pk
    forms = [
        (g, form if g.pk == guardian.pk and not saved else
         GuardianContactForm(initial={"mobile": format_mobile(g.mobile), "email": g.email},
                             prefix=f"g{g.pk}"))
        for g in patient.guardians.all()
    ]
    return render_patient(request, patient, "relations",
                          {"guardian_forms": forms, "saved_guardian": saved},
                          status=200 if form.is_valid() or not request.htmx else 422)


@login_required
def visits(request, pk: int) -> HttpResponse:
    """Patient – Besök: the patient's video visits that the user may see (S2)."""
    from visits.models import VideoVisit

    patient = get_patient_for_staff(request, pk)
    visits = (VideoVisit.objects.filter(patient=patient).for_staff(request.user)
              .select_related("owner").order_by("-starts_at"))
    return render_patient(request, patient, "visits", {"visits": visits})
