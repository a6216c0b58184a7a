from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: lockout, the second factor, idle sessions, API tokens and password reset."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
