"""Every websocket route of the project, gathered from the apps."""

from cohort.routing import websocket_urlpatterns as cohort_routes
from discussions.routing import websocket_urlpatterns as discussion_routes

websocket_urlpatterns = [*cohort_routes, *discussion_routes]
