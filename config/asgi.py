"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets are authenticated with the session and guarded by cohort.sockets.SocketGuard (exact Origin,
the authentication chokepoint, sockets per session, messages per socket).
Request bodies are capped per route family before Django reads them (config/body_limit.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from cohort.sockets import SocketGuard  # noqa: E402
from config.body_limit import BodyLimit  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi_app),
        "websocket": AuthMiddlewareStack(SocketGuard(URLRouter(websocket_urlpatterns))),
    }
)
