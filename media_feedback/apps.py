from django.apps import AppConfig


class MediaFeedbackConfig(AppConfig):
    name = "media_feedback"
