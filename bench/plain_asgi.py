"""config.asgi with the discussion pages' sockets served by bench/plain_consumers.py (for bench/fanout.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from bench import plain_consumers  # noqa: E402
from cohort.routing import websocket_urlpatterns as cohort_routes  # noqa: E402

websocket_urlpatterns = [
    *cohort_routes,
    path("ws/c/<slug:cohort>/threads/<int:thread_id>/", plain_consumers.ThreadConsumer.as_asgi()),
    path("ws/c/<slug:cohort>/themes/<int:theme_id>/", plain_consumers.ThemeConsumer.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
