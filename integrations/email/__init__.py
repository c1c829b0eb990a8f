"""E-mail through Django's EmailMessage; EMAIL_BACKEND chooses how it leaves (DESIGN N2)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.core.mail.utils import DNS_NAME
from django.utils.translation import gettext as _

from integrations.errors import PermanentSendError, TransientSendError


def send_email(*, to: str, subject: str, body: str, reference: str) -> str:
    """Send a plain-text e-mail and return its Message-ID.

    Raises TransientSendError when the mail server may take it later (4xx,
    unreachable) and PermanentSendError when it refused it (5xx).
    """
    # Set here rather than left to the backend, so the outbox can show which mail it was.
    message_id = make_msgid(domain=str(DNS_NAME))
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
        headers={"Message-ID": message_id},
    )
    # For the development inbox, which keeps the outbox message with the mail; an
    # attribute, not a header, so no real mail carries it.
    message.outbox_reference = reference
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if all(code >= 500 for code in codes):
            raise PermanentSendError(
                _("E-postservern tog inte emot adressen (%(code)s).") % {"code": codes[0]}
            ) from error
        raise TransientSendError(
            _("E-postservern bad om ett nytt försök senare (%(code)s).") % {"code": codes[0]}
        ) from error
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            raise PermanentSendError(
                _("E-postservern tog inte emot meddelandet (%(code)s).")
                % {"code": error.smtp_code}
            ) from error
        raise TransientSendError(
            _("E-postservern bad om ett nytt försök senare (%(code)s).")
            % {"code": error.smtp_code}
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientSendError(_("E-postservern gick inte att nå.")) from error
    return message_id
