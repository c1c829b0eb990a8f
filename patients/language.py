"""The language of what the patient's side receives: the kallelse, printed or in 1177,
SMS, e-mail and the 1177 feed.

Staff choose the language of their own pages; everything that goes to the patient,
the agent or a guest of the visit is written in the patient's language whatever that
page speaks. Until a patient can choose a language, that is Swedish.
"""

from __future__ import annotations

from django.utils import translation

PATIENT_LANGUAGE = "sv"


def patient_language(patient=None) -> str:
    """The language code of documents and messages for `patient` and their visit's people."""
    return PATIENT_LANGUAGE


def in_patient_language(patient=None) -> translation.override:
    """Translations and dates in the patient's language, as a context manager or decorator."""
    return translation.override(patient_language(patient))
