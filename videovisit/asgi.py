"""ASGI entry point: Django for HTTP, Channels for the WebSockets."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videovisit.settings")
GC_THRESHOLDS = (20_000, 50, 100)

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from videovisit.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Everything loaded so far lives as long as the process: keep it out of the collector's
# full passes, which otherwise walk it all and hold up every socket while they do.
gc.freeze()
# Each open socket keeps its own objects alive (protocol, consumer, tasks), and every
# relayed message makes short-lived ones. With Python's default thresholds (700, 10, 10)
# the young collections ran many times a second, promoted messages still in flight, and
# so brought on full collections that held up every socket for 50–120 ms at 200 rooms
# (bench/room.py). Collecting the young generation every 20,000 allocations instead
# keeps transient objects young; the cost is a few megabytes, not a pause.
gc.set_threshold(*GC_THRESHOLDS)
