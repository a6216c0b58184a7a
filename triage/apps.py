from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pathway.access import register_clinician_visibility
        from pathway.models import DeadlineKind
        from pathway.navigation import register_home_task
        from pathway.services import on_breach

        from .selectors import episodes_sent_for_red_flag_review, lead_triage_breaches
        from .services import triage_breach_escalate

        register_clinician_visibility(episodes_sent_for_red_flag_review)
        register_home_task(lead_triage_breaches)

        if triage_breach_escalate not in on_breach_handlers(DeadlineKind.TRIAGE):
            on_breach(DeadlineKind.TRIAGE)(triage_breach_escalate)


def on_breach_handlers(kind: str) -> list:
    from pathway.services import BREACH_HANDLERS

    return BREACH_HANDLERS.get(kind, [])
