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
from patients.access import (
    find_patient_for_staff,
    get_patient_for_staff,
    log_patient_created,
    unit_of_access,
)
from patients.fields import format_mobile
from patients.forms import ContactForm, CreatePatientForm, GuardianContactForm, SearchForm
from patients.models import Patient, PatientContact, age_on, needs_own_mobile
from patients.personnummer import Personnummer, format_pnr
from patients.services import (
    guardian_update_contact,
    mobile_known_at_each,
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


def create_form_for(person: RegistryPerson, user, data=None, *,
                    initial: dict | None = None) -> CreatePatientForm:
    """Skapa patient: empty contact fields, even for a patient other units have, whose
    details stay theirs (S2); a mobile is needed unless each of the user's units
    already has one."""
    age = age_on(person.birth_date, timezone.localdate())
    known_mobile = mobile_known_at_each(personnummer=person.personnummer,
                                        units=list(user.care_units.all()))
    return CreatePatientForm(
        data, initial={"personnummer": format_pnr(person.personnummer), **(initial or {})},
        # Its own ids: the search form above already has an id_personnummer.
        auto_id="create_%s",
        mobile_required=needs_own_mobile(age, has_eid=person.has_eid) and not known_mobile)


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
    form = create_form_for(person, request.user, create_data)
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


def contact_form_for(patient: Patient, contact: PatientContact, data=None) -> ContactForm:
    """The unit's own contact details; other units' are never shown (S2)."""
    initial = {"mobile": format_mobile(contact.mobile), "email": contact.email}
    return ContactForm(data, initial=None if data is not None else initial,
                       mobile_required=patient.needs_own_mobile_on(timezone.localdate()))


def render_overview(request, patient: Patient, context: dict | None = None,
                    status: int = 200, *, form: ContactForm | None = None) -> HttpResponse:
    """Översikt with the contact details of the viewer's unit of access."""
    contact = patient.contact_at(unit_of_access(request.user, patient))
    return render_patient(request, patient, "overview", {
        "contact": contact, "contact_form": form or contact_form_for(patient, contact),
        **(context or {})}, status=status)


@login_required
def detail(request, pk: int) -> HttpResponse:
    """Patient – Översikt: contact, e-ID and protected identity (P8)."""
    patient = get_patient_for_staff(request, pk)
    return render_overview(request, patient)


@login_required
@require_POST
def update_contact(request, pk: int) -> HttpResponse:
    """The viewer's unit's own mobile and e-mail for the patient (P4, S2)."""
    patient = get_patient_for_staff(request, pk)
    unit = unit_of_access(request.user, patient)
    form = contact_form_for(patient, patient.contact_at(unit), request.POST)
    if form.is_valid():
        try:
            patient_update_contact(patient=patient, care_unit=unit,
                                   mobile=form.cleaned_data["mobile"],
                                   email=form.cleaned_data["email"], user=request.user)
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        return render_overview(request, patient, form=form,
                               status=422 if request.htmx else 200)
    return render_overview(request, patient, {"saved": _("Kontaktuppgifterna är sparade.")})


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
    return render_overview(request, patient, context,
                           status=503 if "registry_problem" in context and request.htmx
                           else 200)


@login_required
def relations(request, pk: int) -> HttpResponse:
    """Patient – Relationer: the guardians, among whom each visit's agent is chosen (P5)."""
    patient = get_patient_for_staff(request, pk)
    unit = unit_of_access(request.user, patient)
    return render_patient(request, patient, "relations", {"guardian_forms": [
        (g, _guardian_form(g, unit)) for g in patient.guardians.all()
    ]})


def _guardian_form(guardian, unit) -> GuardianContactForm:
    """The guardian's contact details as the user's unit of access keeps them (S2)."""
    contact = guardian.contact_at(unit)
    return GuardianContactForm(initial={"mobile": format_mobile(contact.mobile),
                                        "email": contact.email}, prefix=f"g{guardian.pk}")


@login_required
@require_POST
def update_guardian(request, pk: int, guardian_pk: int) -> HttpResponse:
    patient = get_patient_for_staff(request, pk)
    guardian = get_object_or_404(patient.guardians, pk=guardian_pk)
    form = GuardianContactForm(request.POST, prefix=f"g{guardian.pk}")
    unit = unit_of_access(request.user, patient)
    saved = None
    if form.is_valid():
        guardian_update_contact(guardian=guardian, care_unit=unit,
                                mobile=form.cleaned_data["mobile"],
                                email=form.cleaned_data["email"], user=request.user)
        saved = guardian.pk
    forms = [
        (g, form if g.pk == guardian.pk and not saved else _guardian_form(g, unit))
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
