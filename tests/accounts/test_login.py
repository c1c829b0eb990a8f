import pytest
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory

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


def log_in(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR="192.0.2.44")


def test_an_over_long_username_is_refused_in_swedish_and_counted_as_its_first_part(
        client, settings):  # S3
    # A longer name was a 500 (django-axes' column is 255 characters) and not counted.
    # Its first 150 characters count, whatever follows: a new tail is no new counter.
    longest = UserFactory(username="k" * 150)
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, longest.username + f"-{n}" * 60, "fel")
        assert response.status_code == 200
        content = response.content.decode()
        assert "Användarnamnet är för långt." in content and 'role="alert"' in content
    assert log_in(client, longest.username + "x" * 300, "fel").status_code == 429
    assert log_in(client, longest.username, PASSWORD).status_code == 429


def test_an_over_long_password_is_refused_in_swedish_and_counted(client, clinician,
                                                                  settings):  # S3
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, "alice", "x" * 5000)
        assert response.status_code == 200
        assert "Lösenordet är för långt." in response.content.decode()
    assert log_in(client, "alice", "x" * 5000).status_code == 429


def test_the_admin_login_refuses_an_over_long_username_too(client, settings):  # S3
    admin_login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, "a" * 300, "fel", url=admin_login)
        assert response.status_code == 200
        assert "Användarnamnet är för långt." in response.content.decode()
    assert log_in(client, "a" * 300, "fel", url=admin_login).status_code == 429


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
