"""The beat schedule: every entry runs a task the worker knows, and it is defined in one place."""

import ast
import json
import re
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab, schedule
from django.conf import settings

from pathway.celery import app

BASE_DIR = Path(settings.BASE_DIR)
SCHEDULE_FILE = BASE_DIR / "pathway" / "celery.py"
# Anything that could add a periodic task elsewhere: a beat_schedule setting (CELERY_BEAT_SCHEDULE in
# Django settings, app.conf.beat_schedule), add_periodic_task or a scheduler reading them from the DB.
SCHEDULING = re.compile(r"beat_scheduler?\b|add_periodic_task|periodic_task\b", re.IGNORECASE)
SKIP_DIRS = {".venv", "node_modules", "var", "static", "migrations", ".git", "__pycache__"}


def schedule_keys_in_source() -> list[str]:
    tree = ast.parse(SCHEDULE_FILE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "app.conf.beat_schedule":
            return [ast.literal_eval(key) for key in node.value.keys]
    raise AssertionError("pathway/celery.py does not assign app.conf.beat_schedule")


def test_every_beat_entry_names_a_task_registered_in_the_app():
    app.loader.import_default_modules()
    assert app.conf.beat_schedule
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names {entry['task']!r}, which no app registers"
        assert isinstance(entry["schedule"], float | int | timedelta | crontab | schedule), name
        # Beat publishes the arguments as JSON, like .delay() does.
        json.dumps([list(entry.get("args", ())), dict(entry.get("kwargs", {}))])
        assert not entry.get("options", {}).get("queue"), f"{name!r} goes to a queue the worker may not consume"


def test_the_schedule_is_defined_only_in_pathway_celery_py():
    app.loader.import_default_modules()
    # Nothing added at import time (add_periodic_task, signals) beyond what pathway/celery.py lists.
    assert list(app.conf.beat_schedule) == schedule_keys_in_source()
    assert not hasattr(settings, "CELERY_BEAT_SCHEDULE")
    assert app.conf.beat_scheduler == "celery.beat:PersistentScheduler"
    elsewhere = []
    for path in BASE_DIR.rglob("*.py"):
        relative = path.relative_to(BASE_DIR)
        if SKIP_DIRS & set(relative.parts) or relative == SCHEDULE_FILE.relative_to(BASE_DIR):
            continue
        if "tests" in relative.parts:
            continue
        if SCHEDULING.search(path.read_text(encoding="utf-8", errors="replace")):
            elsewhere.append(str(relative))
    assert elsewhere == []
