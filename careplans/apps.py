from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pathway.letters.rendering import register_letter_facts
        from pathway.navigation import register_home_task

        from .letters import letter_facts
        from .selectors import lead_extensions_awaiting_approval

        register_letter_facts(letter_facts)
        register_home_task(lead_extensions_awaiting_approval)
