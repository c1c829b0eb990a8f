import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_log_in_through_the_login_page_and_see_the_start_page(page, clinician):
    page.goto("/")
    expect(page).to_have_url("/logga-in/?next=/")
    page.get_by_label("Användarnamn").fill("alice")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Idag")
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_contain_text("Idag")
    expect(page.get_by_text("Alice Lund")).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"  # the vendored htmx is served


def test_a_wrong_password_shows_a_swedish_message(page, clinician):
    page.goto("/logga-in/")
    page.get_by_label("Användarnamn").fill("alice")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_contain_text("Ange ett korrekt användarnamn")
    expect(page.get_by_label("Användarnamn")).to_have_value("alice")
