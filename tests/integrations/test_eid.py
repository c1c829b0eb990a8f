"""The e-ID interface: the animated QR code and BankID's user messages (DESIGN G4, N2)."""

import datetime
import hashlib
import hmac

import pytest

from integrations import eid
from integrations.eid import CollectResult, EidError, EidUnavailable, Order, Status

# The example order of BankID's QR code documentation.
TOKEN = "67df3917-fa0d-44e5-b327-edcc928297f8"
SECRET = "d28db9a7-4cde-429e-a983-359be676944c"
STARTED = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)


def order() -> Order:
    return Order(order_ref="131daac9-16c6-4618-beb0-365768f37288", auto_start_token="auto",
                 qr_start_token=TOKEN, qr_start_secret=SECRET, started_at=STARTED)


def at(seconds: float) -> datetime.datetime:
    return STARTED + datetime.timedelta(seconds=seconds)


def test_qr_data_matches_bankids_documented_example():
    assert eid.qr_data(order(), at(0)) == (
        f"bankid.{TOKEN}.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
    )


def test_qr_data_is_the_hmac_of_whole_seconds_since_the_order_started():
    expected = hmac.new(SECRET.encode(), b"7", hashlib.sha256).hexdigest()
    assert eid.qr_data(order(), at(7.9)) == f"bankid.{TOKEN}.7.{expected}"


def test_qr_data_changes_every_second_and_not_within_one():
    codes = [eid.qr_data(order(), at(s)) for s in range(30)]
    assert len(set(codes)) == 30
    assert eid.qr_data(order(), at(3.0)) == eid.qr_data(order(), at(3.999))
    assert eid.qr_data(order(), at(3.999)) != eid.qr_data(order(), at(4.0))


def test_qr_data_never_contains_the_secret():
    for seconds in range(0, 300, 7):
        assert SECRET not in eid.qr_data(order(), at(seconds))
    # An order in a log or an error page shows no secret either.
    assert SECRET not in repr(order())


def test_qr_data_counts_from_zero_when_the_clock_is_behind_the_order():
    assert eid.qr_data(order(), at(-2)) == eid.qr_data(order(), at(0))


@pytest.mark.parametrize(("hint", "same_device", "message"), [
    ("outstandingTransaction", False, "Starta BankID-appen."),  # RFA1, QR code
    ("outstandingTransaction", True, "Försöker starta BankID-appen."),  # RFA13
    ("noClient", False, "Starta BankID-appen."),  # RFA1
    ("started", True,
     "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten."),  # RFA15
    ("userSign", False,
     "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under."),  # RFA9
    ("userMrtd", False, "Fotografera och läs av din ID-handling med BankID-appen."),  # RFA23
    ("someNewHint", False, "En identifiering eller underskrift pågår."),  # RFA21
])
def test_pending_orders_show_bankids_recommended_message(hint, same_device, message):
    result = CollectResult(Status.PENDING, hint_code=hint)
    assert str(result.user_message(same_device=same_device)) == message


@pytest.mark.parametrize(("hint", "same_device", "message"), [
    ("userCancel", False, "Åtgärden avbröts."),  # RFA6
    ("cancelled", False, "Åtgärden avbröts. Försök igen."),  # RFA3
    ("expiredTransaction", False,
     "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
     "internetanslutning. Försök sedan igen."),  # RFA8
    ("certificateErr", False,
     "Ditt BankID är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt "
     "hos din bank."),  # RFA16
    ("startFailed", False,
     "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden."),  # RFA17B
    ("startFailed", True,
     "Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID hos din "
     "bank."),  # RFA17A
    ("someNewHint", False, "Något gick fel. Försök igen."),  # RFA22
])
def test_failed_orders_show_bankids_recommended_message(hint, same_device, message):
    result = CollectResult(Status.FAILED, hint_code=hint)
    assert str(result.user_message(same_device=same_device)) == message


def test_unavailable_is_an_eid_error_that_asks_to_try_again():
    error = EidUnavailable(code="maintenance")
    assert isinstance(error, EidError)
    assert str(error.user_message) == "Något gick fel. Försök igen."  # RFA5
    assert error.code == "maintenance"


def test_start_auth_refuses_an_end_user_ip_that_is_no_address():
    with pytest.raises(ValueError):
        eid.start_auth(end_user_ip="localhost")
