"""WebSocket routes of every app, mounted by asgi.py."""

from visits.routing import websocket_urlpatterns as visits_patterns

websocket_urlpatterns = [*visits_patterns]
