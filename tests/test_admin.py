import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ["accounts", "patients", "bookings", "visits", "guests", "integrations"]


def our_models():
    return [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]


def test_every_model_of_ours_is_in_admin():
    missing = [m.__name__ for m in our_models() if m not in admin.site._registry]
    assert missing == []


def test_every_changelist_lists_and_searches(client, care_unit):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for model in our_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        if admin.site._registry[model].search_fields:
            assert client.get(url, {"q": "Ålidhem"}).status_code == 200, url


def test_a_clinician_gets_no_admin(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_care_units_phone_number_is_checked_and_kept_as_dialled(client, care_unit):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_careunit_change", args=[care_unit.pk])
    fields = {"name": care_unit.name, "hsa_id": care_unit.hsa_id}
    response = client.post(url, fields | {"phone": "010-123"})
    assert "Ange ett giltigt telefonnummer, t.ex. 010-123 45 67." in response.content.decode()
    assert client.post(url, fields | {"phone": "010-123 45 67"}).status_code == 302
    care_unit.refresh_from_db()
    assert care_unit.phone == "+46101234567" and care_unit.phone_display == "010-123 45 67"
