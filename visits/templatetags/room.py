"""Who is in a visit's video room, for the visit page's live panel (R1)."""

from django import template
from django.utils.translation import gettext as _

from visits.models import RoomPresence

register = template.Library()


@register.simple_tag
def room_presence(visit) -> list[RoomPresence]:
    """The people with the visit's room open now, waiting ones first, each with their
    role in the language of whoever looks (the row keeps it as it was when they joined)."""
    present = list(RoomPresence.objects.fresh().filter(visit=visit)
                   .select_related("participant", "user").order_by("-status", "joined_at"))
    for person in present:
        if person.participant is not None:
            person.role = person.participant.get_kind_display()
        elif person.user is not None:
            person.role = person.user.title or _("Vårdpersonal")
    return present
