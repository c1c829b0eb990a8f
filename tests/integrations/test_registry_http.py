import datetime

import pytest

from integrations.registry import RegistryError, get_registry

ADULT = "198503129820"
CHILD = "201706159835"


def test_it_asks_with_the_number_in_the_body_and_a_bearer_token(registry_server):
    person = get_registry().lookup(ADULT)
    assert (person.first_name, person.last_name) == ("Eva", "Lindqvist")
    assert person.birth_date == datetime.date(1985, 3, 12)
    assert person.has_eid and not person.protected_identity
    assert registry_server.requests == [{"path": "/persons/lookup",
                                         "body": {"personnummer": ADULT},
                                         "authorization": "Bearer test-token"}]


def test_a_child_comes_with_guardians(registry_server):
    child = get_registry().lookup(CHILD)
    assert [g.first_name for g in child.guardians] == ["Karin", "Johan"]
    assert all(g.has_eid for g in child.guardians)


def test_an_unknown_person_is_none(registry_server):
    assert get_registry().lookup("199001019802") is None
    assert len(registry_server.requests) == 1  # a 404 is an answer, not an outage


def test_a_passing_outage_is_retried(registry_server):
    registry_server.fail_next = [503, 502]
    assert get_registry().lookup(ADULT).first_name == "Eva"
    assert len(registry_server.requests) == 3


def test_a_lasting_outage_raises_after_the_retries(registry_server):
    registry_server.fail_next = [503, 503, 503, 503]
    with pytest.raises(RegistryError):
        get_registry().lookup(ADULT)
    assert len(registry_server.requests) == 3  # REGISTRY_RETRIES = 2


def test_a_registry_that_does_not_answer_in_time_raises(registry_server, settings):
    settings.REGISTRY_TIMEOUT = 0.2
    settings.REGISTRY_RETRIES = 1
    registry_server.delay = 0.5
    with pytest.raises(RegistryError):
        get_registry().lookup(ADULT)


def test_a_refusal_is_not_retried(registry_server):
    registry_server.fail_next = [401]
    with pytest.raises(RegistryError):
        get_registry().lookup(ADULT)
    assert len(registry_server.requests) == 1


def test_nothing_listening_raises(settings):
    settings.REGISTRY_BACKEND = "integrations.registry.http.HttpRegistry"
    settings.REGISTRY_URL = "http://127.0.0.1:9"  # discard port: connection refused
    settings.REGISTRY_RETRIES = 0
    with pytest.raises(RegistryError):
        get_registry().lookup(ADULT)
