from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pathway.letters.rendering import register_letter_facts
        from pathway.patient_death import register_death_handler

        from .letters import letter_facts
        from .services import prom_invitations_cancel_on_death

        register_letter_facts(letter_facts)
        # A death: after careplans has discharged the open episode (10), the PROM links are cancelled (20).
        register_death_handler(prom_invitations_cancel_on_death, order=20)
