"""Websocket routes of the discussions app (consumers in consumers.py)."""

websocket_urlpatterns: list = []
