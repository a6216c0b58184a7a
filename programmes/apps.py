from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Group programmes and signposting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pathway.letters.hooks import on_letter_context

        from .selectors import letter_signposting

        on_letter_context(letter_signposting)
