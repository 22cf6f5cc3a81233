from django.apps import AppConfig


class CohortConfig(AppConfig):
    name = "cohort"
    verbose_name = "Cohorts and people"

    def ready(self) -> None:
        from cohort import signals  # noqa: F401 - connects the receivers
