from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pathway.letters.hooks import on_letter_context
        from pathway.letters.rendering import register_letter_facts
        from pathway.navigation import register_home_task
        from pathway.patient_death import register_death_handler

        from .letters import letter_context, letter_facts
        from .selectors import lead_extensions_awaiting_approval
        from .services import discharge_on_death

        register_letter_facts(letter_facts)
        on_letter_context(letter_context)
        register_home_task(lead_extensions_awaiting_approval)
        # A death: first the open episode is discharged (10), then outcomes cancels the PROM links (20).
        register_death_handler(discharge_on_death, order=10)
