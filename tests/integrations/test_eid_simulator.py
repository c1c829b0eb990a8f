"""The development e-ID simulator, and the check that keeps it out of production (DESIGN G4)."""

import subprocess
import sys

import pytest
from django.core import checks
from django.utils import timezone
from personnummer.personnummer import PersonnummerException

from integrations import eid
from integrations.eid import EidError, Status
from integrations.eid.simulator import SimulatorEid
from tests.test_settings import PRODUCTION, ROOT, clean_env

SIMULATOR = "integrations.eid.simulator.SimulatorEid"
BANKID = "integrations.eid.bankid.BankIdEid"


@pytest.fixture
def simulator(settings) -> SimulatorEid:
    settings.EID_BACKEND = SIMULATOR
    settings.EID_SIMULATOR_PERSONNUMMER = ""
    return eid.get_backend()


def test_an_order_stays_pending_until_the_dev_page_completes_it(simulator):
    order = eid.start_auth(end_user_ip="192.0.2.7")
    for _ in range(5):
        result = eid.collect(order.order_ref)
        assert (result.status, result.hint_code) == (Status.PENDING, "outstandingTransaction")

    simulator.complete(order.order_ref, "19850312-9820")

    result = eid.collect(order.order_ref)
    assert result.status == Status.COMPLETE
    # The demo person of the population registry, as BankID would name her.
    assert result.person == eid.IdentifiedPerson("198503129820", "Eva", "Lindqvist")
    assert result.user_message() == ""


def test_a_number_the_registry_does_not_know_still_identifies(simulator):
    order = eid.start_auth(end_user_ip="192.0.2.7")
    simulator.complete(order.order_ref, "199001019802")
    assert eid.collect(order.order_ref).person.personnummer == "199001019802"


def test_completing_with_an_invalid_personnummer_is_refused(simulator):
    order = eid.start_auth(end_user_ip="192.0.2.7")
    with pytest.raises(PersonnummerException):
        simulator.complete(order.order_ref, "19850312-9821")
    assert eid.collect(order.order_ref).status == Status.PENDING


def test_the_order_lives_in_the_cache_not_in_one_backend_instance(simulator):
    order = eid.start_auth(end_user_ip="192.0.2.7")
    # As a dev page served by another worker process would.
    SimulatorEid().complete(order.order_ref, "198409219840")
    assert eid.collect(order.order_ref).person.given_name == "Karin"


@pytest.mark.parametrize(("collects", "statuses"), [
    (2, [Status.PENDING, Status.PENDING, Status.COMPLETE, Status.COMPLETE]),
    (0, [Status.COMPLETE] * 4),  # at once
])
def test_with_a_personnummer_in_settings_orders_complete_after_the_set_collects(
    settings, collects, statuses
):
    settings.EID_BACKEND = SIMULATOR
    settings.EID_SIMULATOR_PERSONNUMMER = "198301309855"
    settings.EID_SIMULATOR_COLLECTS = collects
    order = eid.start_auth(end_user_ip="192.0.2.7")
    assert [eid.collect(order.order_ref).status for _ in range(4)] == statuses
    assert eid.collect(order.order_ref).person.surname == "Berg"


def test_a_failed_order_says_why_in_bankids_words(simulator):
    order = eid.start_auth(end_user_ip="192.0.2.7")
    simulator.fail(order.order_ref, "expiredTransaction")
    result = eid.collect(order.order_ref)
    assert (result.status, result.hint_code) == (Status.FAILED, "expiredTransaction")
    assert str(result.user_message()).startswith("BankID-appen svarar inte.")


def test_a_cancelled_order_is_gone_and_cancelling_again_is_no_error(simulator):
    order = eid.start_auth(end_user_ip="192.0.2.7")
    eid.cancel(order.order_ref)
    eid.cancel(order.order_ref)
    with pytest.raises(EidError) as caught:
        eid.collect(order.order_ref)
    assert str(caught.value.user_message) == "Något gick fel. Försök igen."


def test_simulated_orders_have_their_own_qr_codes(simulator):
    first = eid.start_auth(end_user_ip="192.0.2.7")
    second = eid.start_auth(end_user_ip="192.0.2.7")
    now = timezone.now()
    assert eid.qr_data(first, now) != eid.qr_data(second, now)
    assert eid.qr_data(first, now).startswith(f"bankid.{first.qr_start_token}.")


def errors_of(found: list[checks.CheckMessage]) -> list[str]:
    return [message.id for message in found if message.id.startswith("integrations.")]


def test_the_check_refuses_the_simulator_without_debug(settings):
    settings.DEBUG = False
    settings.EID_BACKEND = SIMULATOR
    assert errors_of(checks.run_checks()) == ["integrations.E001"]


def test_the_check_allows_the_simulator_with_debug(settings):
    settings.DEBUG = True
    settings.EID_BACKEND = SIMULATOR
    assert errors_of(checks.run_checks()) == []


def test_the_check_allows_bankid_without_debug(settings):
    settings.DEBUG = False
    settings.EID_BACKEND = BANKID
    assert errors_of(checks.run_checks()) == []


def test_the_check_names_a_backend_that_does_not_exist(settings):
    settings.EID_BACKEND = "integrations.eid.nowhere.Backend"
    assert errors_of(checks.run_checks()) == ["integrations.E002"]


def test_check_deploy_fails_in_production_with_the_simulator():  # S3
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=clean_env(**PRODUCTION, EID_BACKEND=SIMULATOR),
        capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "the e-ID simulator must not run in production" in result.stderr
