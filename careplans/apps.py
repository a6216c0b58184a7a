from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pathway.letters.hooks import on_letter_context
        from pathway.letters.rendering import register_letter_facts
        from pathway.navigation import register_home_task

        from .letters import letter_context, letter_facts
        from .selectors import lead_extensions_awaiting_approval

        register_letter_facts(letter_facts)
        on_letter_context(letter_context)
        register_home_task(lead_extensions_awaiting_approval)
