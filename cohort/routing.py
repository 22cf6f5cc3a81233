"""Websocket routes of the cohort app (consumers in consumers.py)."""

from django.urls import path

from cohort import consumers

websocket_urlpatterns = [
    path("ws/notifications/", consumers.NotificationsConsumer.as_asgi()),
]
