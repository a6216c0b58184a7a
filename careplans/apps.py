from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    default_auto_field = "django.db.models.BigAutoField"
