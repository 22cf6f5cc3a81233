from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from cohort.integers import IdConverter


class CohortConfig(AppConfig):
    name = "cohort"
    verbose_name = _("Cohorts and people")

    def ready(self) -> None:
        from cohort import signals  # noqa: F401 - connects the receivers

        # `<id:thing_id>` in every urls.py and routing.py: registered before any URL module loads.
        register_converter(IdConverter, "id")
