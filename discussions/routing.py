"""Websocket routes of the discussions app (consumers in consumers.py)."""

from django.urls import path

from discussions import consumers

websocket_urlpatterns = [
    path("ws/c/<slug:cohort>/threads/<id:thread_id>/", consumers.ThreadConsumer.as_asgi()),
    path("ws/c/<slug:cohort>/themes/<id:theme_id>/", consumers.ThemeConsumer.as_asgi()),
]
