from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pathway.letters.rendering import register_letter_facts

        from .letters import letter_facts

        register_letter_facts(letter_facts)
