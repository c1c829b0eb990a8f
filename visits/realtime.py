"""Names of the channel-layer groups: the one place that spells them (STYLE: realtime)."""


def staff_group(user_id: int) -> str:
    """Group of every open staff page of one user; receives small events with ids only."""
    return f"staff.{user_id}"
