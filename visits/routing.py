from django.urls import path

from visits import consumers

websocket_urlpatterns = [
    path("ws/staff/", consumers.StaffConsumer.as_asgi()),
    path("ws/staff/visit/<int:visit_id>/", consumers.StaffConsumer.as_asgi()),
    path("ws/visit/<int:visit_id>/", consumers.RoomConsumer.as_asgi()),
]
