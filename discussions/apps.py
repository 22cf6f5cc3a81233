import os

from channels.layers import channel_layers
from django.apps import AppConfig


def _forget_channel_layers() -> None:
    # A channel layer made before a fork belongs to the parent's event loop and connections: a forked
    # server (Daphne test processes, pre-forking servers) must make its own.
    channel_layers.backends.clear()


class DiscussionsConfig(AppConfig):
    name = "discussions"

    def ready(self) -> None:
        os.register_at_fork(after_in_child=_forget_channel_layers)
