"""Who is in a visit's video room, for the visit page's live panel (R1)."""

from django import template

from visits.models import RoomPresence

register = template.Library()


@register.simple_tag
def room_presence(visit) -> list[RoomPresence]:
    """The people with the visit's room open now, waiting ones first."""
    return list(RoomPresence.objects.fresh().filter(visit=visit)
                .order_by("-status", "joined_at"))
