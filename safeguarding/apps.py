from django.apps import AppConfig
from django.db.models.signals import post_save


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "Consent, carers, communication, safeguarding and incidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pathway.letters.hooks import on_letter_context, on_letter_created
        from pathway.navigation import register_home_task

        from . import letters
        from .selectors import lead_open_concerns

        register_home_task(lead_open_concerns)
        on_letter_created(letters.letter_created)
        on_letter_context(letters.letter_context)
        # Booking lives in careplans, which knows nothing of interpreters: the booking is made in the
        # same transaction as the appointment row.
        post_save.connect(_appointment_saved, sender="careplans.Appointment", dispatch_uid="interpreter-booking")


def _appointment_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .services import appointment_interpreter_book

        appointment_interpreter_book(appointment=instance)
