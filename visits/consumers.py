from channels.generic.websocket import AsyncJsonWebsocketConsumer

from visits.realtime import staff_group


class StaffConsumer(AsyncJsonWebsocketConsumer):
    """Live updates for a signed-in staff member's pages.

    Events carry ids only; the page re-fetches what changed through the
    permission-checked views, so no patient data travels over the group.
    """

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()  # refuses the handshake (HTTP 403)
            return
        self.group = staff_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def visit_changed(self, event: dict) -> None:
        await self.send_json({"type": "visit.changed", "visit": event["visit"]})
