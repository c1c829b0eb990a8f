"""BankID's recommended user messages (RFA), and which one a hint or error code calls for.

The texts are BankID's own ("Rekommenderade användarmeddelanden" on
developers.bankid.com), word for word, so people meet the words they know from every
other service, and nothing in them describes our system. The one change: BankID's
RFA15B misspells "giltigt" as "gitligt".
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RFA = {
    "RFA1": _("Starta BankID-appen."),
    "RFA3": _("Åtgärden avbröts. Försök igen."),
    "RFA4": _("En identifiering eller underskrift pågår redan för ditt personnummer. Försök igen."),
    "RFA5": _("Något gick fel. Försök igen."),
    "RFA6": _("Åtgärden avbröts."),
    "RFA8": _(
        "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
        "internetanslutning. Försök sedan igen."
    ),
    "RFA9": _("Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under."),
    "RFA13": _("Försöker starta BankID-appen."),
    "RFA15B": _("Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten."),
    "RFA16": _(
        "Ditt BankID är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt "
        "hos din bank."
    ),
    "RFA17A": _(
        "Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID hos din "
        "bank."
    ),
    "RFA17B": _("Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden."),
    "RFA21": _("En identifiering eller underskrift pågår."),
    "RFA22": _("Något gick fel. Försök igen."),
    "RFA23": _("Fotografera och läs av din ID-handling med BankID-appen."),
}


def pending_message(hint_code: str, *, same_device: bool) -> Promise:
    """The message while an order is pending; `same_device`: the app was opened on this device."""
    if hint_code == "outstandingTransaction":
        return RFA["RFA13"] if same_device else RFA["RFA1"]
    if hint_code == "noClient":
        return RFA["RFA1"]
    if hint_code == "started":
        # RFA15A is for BankID on file or card on a computer; we cannot tell which
        # device it is, and the B text is true on both.
        return RFA["RFA15B"]
    if hint_code == "userSign":
        return RFA["RFA9"]
    if hint_code == "userMrtd":
        return RFA["RFA23"]
    # BankID: unknown pending codes (new ones appear) show RFA21.
    return RFA["RFA21"]


def failed_message(hint_code: str, *, same_device: bool) -> Promise:
    """The message when an order has failed; unknown codes get RFA22, as BankID says."""
    if hint_code == "expiredTransaction":
        return RFA["RFA8"]
    if hint_code == "certificateErr":
        return RFA["RFA16"]
    if hint_code == "userCancel":
        return RFA["RFA6"]
    if hint_code == "cancelled":
        return RFA["RFA3"]
    if hint_code == "startFailed":
        # The app never started on this device (A), or the QR code was not read (B).
        return RFA["RFA17A"] if same_device else RFA["RFA17B"]
    return RFA["RFA22"]
