"""The site's icon: browsers ask for /favicon.ico on every page, and get it."""

import pytest
from django.urls import reverse


def test_favicon_ico_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file's header


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("login"), "/in/" + "x" * 43 + "/"])
def test_pages_name_their_icon(client, url):
    page = client.get(url).content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert 'type="image/svg+xml"' in page
