from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "pathway"
    default_auto_field = "django.db.models.BigAutoField"
