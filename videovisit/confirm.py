"""Ask before destroying: one confirmation step for every destructive action.

A destructive POST without the confirmation field changes nothing and answers with
the question (templates/_confirm.html), whose own form posts again with the field.
Without JavaScript the question is part of the whole page; with htmx it is swapped in
place and takes focus, and Avbryt gives focus back to the button that asked
(static/js/app.js). Nothing depends on window.confirm, which a screen reader user
meets out of the page's context and an accessibility scan cannot check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest

CONFIRM_FIELD = "bekraftat"
CONFIRM_VALUE = "ja"


def is_confirmed(request: HttpRequest) -> bool:
    """The POST answers the question: the person has said yes."""
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


@dataclass(frozen=True)
class Answer:
    """One button of the question; most questions have one, the confirming `label`."""

    label: str
    name: str = ""
    value: str = ""
    primary: bool = False


@dataclass(frozen=True)
class Question:
    """What templates/_confirm.html asks.

    `action` is where the answer is posted; `target`, when set, is what htmx swaps
    with the answer (else the form posts as a plain form and the page loads again),
    and `sync` an hx-sync for it, so that a live update in flight does not land after it.
    `cancel_url` is where Avbryt leads without JavaScript; `opener` the id of the
    button that asked, which gets focus back when the question is put away, and
    which names the question's own ids.
    """

    question: str
    consequence: str
    action: str
    answers: tuple[Answer, ...]
    cancel_url: str
    opener: str
    target: str = ""
    sync: str = ""
    include: str = ""
    fields: tuple[tuple[str, str], ...] = field(default=())
