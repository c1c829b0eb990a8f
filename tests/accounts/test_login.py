import pytest
from django.urls import reverse

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/logga-in/?next=/"


def test_login_page_speaks_swedish(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="sv">' in content
    assert "Användarnamn" in content and "Lösenord" in content


def test_it_logs_in_to_the_start_page(client, clinician):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/"
    content = response.content.decode()
    assert "<h1>Idag" in content
    assert "Alice Lund" in content


def test_wrong_password_says_so_in_swedish_and_keeps_the_username(client, clinician):
    response = client.post(reverse("login"), {"username": "alice", "password": "fel"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ange ett korrekt användarnamn och lösenord" in content
    assert 'value="alice"' in content
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_that_ends_the_session(client, clinician):
    client.force_login(clinician)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_english_can_be_chosen(client, clinician):
    client.force_login(clinician)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = client.get("/").content.decode()
    assert '<html lang="en">' in content
    assert "<h1>Today" in content
    assert "Log out" in content


def test_an_english_browser_still_gets_swedish_until_english_is_chosen(client):
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="sv">' in response.content.decode()
    assert "Användarnamn" in response.content.decode()
