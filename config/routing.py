"""Every websocket route of the project, gathered from the apps."""

from discussions.routing import websocket_urlpatterns as discussion_routes

websocket_urlpatterns = [*discussion_routes]
