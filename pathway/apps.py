from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "pathway"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import home_tasks
        from .navigation import register_home_task

        for task in (home_tasks.breached, home_tasks.reconciliations, home_tasks.late_letters):
            register_home_task(task)
