from django.apps import AppConfig


class CohortConfig(AppConfig):
    name = "cohort"
    verbose_name = "Cohorts and people"
