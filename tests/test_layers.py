"""The one rule of imports: the core (``pathway/``) imports no feature app, not even inside a function;
and safeguarding, the layer just above the core, imports no other feature app.

Project wiring (settings, urls, the Celery app, wsgi, the demo command) lives in ``pathway/`` too
and names every app by design, so it is left out; so are tests and migrations.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "pathway"
FEATURE_APPS = {"referrals", "triage", "careplans", "outcomes", "reporting", "safeguarding", "programmes", "interop"}
PROJECT_WIRING = {
    "pathway/settings.py",
    "pathway/urls.py",
    "pathway/celery.py",
    "pathway/wsgi.py",
    "pathway/management/commands/seed_demo.py",
}


def core_modules() -> list[Path]:
    return sorted(
        path
        for path in CORE.rglob("*.py")
        if path.relative_to(ROOT).as_posix() not in PROJECT_WIRING
        and not {"tests", "migrations"} & set(path.relative_to(CORE).parts)
    )


def feature_imports(source: str, apps: set[str] = FEATURE_APPS) -> list[tuple[int, str]]:
    """Every import of one of ``apps`` (by default every feature app) anywhere in the module (top level,
    function-local, under TYPE_CHECKING), and every ``import_module``/``get_model`` call naming one by string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in {"import_module", "get_model", "__import__"} and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names = [first.value]
        found += [(node.lineno, name) for name in names if name.split(".")[0] in apps]
    return found


def test_the_core_is_every_pathway_module_but_the_project_wiring():
    modules = {path.relative_to(ROOT).as_posix() for path in core_modules()}
    assert {"pathway/models.py", "pathway/services.py", "pathway/letters/rendering.py"} <= modules
    assert not modules & PROJECT_WIRING
    assert not any("/tests/" in m or "/migrations/" in m for m in modules)


@pytest.mark.parametrize(
    "source",
    [
        "import careplans.models",
        "from referrals.selectors import referral_for",
        "def f():\n    from outcomes import questionnaires as q\n    return q",
        "if TYPE_CHECKING:\n    from triage.models import TriageDecision",
        "from django.apps import apps\napps.get_model('reporting', 'MonthlyDataSet')",
        "import importlib\nimportlib.import_module('interop.fhir.api')",
    ],
)
def test_the_check_finds_feature_imports_however_they_are_written(source):
    assert feature_imports(source)


def test_the_check_leaves_core_and_third_party_imports_alone():
    assert not feature_imports("from pathway.models import Episode\nfrom django.db import models\nfrom . import rtt")


def test_no_core_module_imports_a_feature_app():
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{line} imports {name}"
        for path in core_modules()
        for line, name in feature_imports(path.read_text())
    ]
    assert offenders == []


# Safeguarding holds the patient-record facts the apps above it read (consent, communication needs,
# carers): it stands just above the core and may import nothing but the core.
ABOVE_SAFEGUARDING = FEATURE_APPS - {"safeguarding"}


def test_the_safeguarding_check_names_every_feature_app_but_safeguarding():
    assert {"referrals", "triage", "careplans", "outcomes", "reporting", "programmes", "interop"} == ABOVE_SAFEGUARDING
    assert {"safeguarding/services/incidents.py", "safeguarding/api/safety.py"} <= {
        path.relative_to(ROOT).as_posix() for path in app_modules("safeguarding")
    }
    assert not feature_imports(
        "from safeguarding.models import Consent\nfrom pathway.models import Patient", ABOVE_SAFEGUARDING
    )
    assert feature_imports("def f():\n    from careplans.services import discharge_record", ABOVE_SAFEGUARDING)


def test_safeguarding_imports_only_the_core():
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{line} imports {name}"
        for path in app_modules("safeguarding")
        for line, name in feature_imports(path.read_text(), ABOVE_SAFEGUARDING)
    ]
    assert offenders == []


LIFECYCLE_FIELDS = {"admitted_on", "tier", "episode_limit_on", "discharged_on", "discharge_reason"}


def app_modules(app: str) -> list[Path]:
    """The app's modules, its tests and migrations left out."""
    return sorted(
        path for path in (ROOT / app).rglob("*.py") if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
    )


def feature_modules() -> list[Path]:
    return [path for app in sorted(FEATURE_APPS) for path in app_modules(app)]


def lifecycle_writes(source: str) -> list[tuple[int, str]]:
    """Assignments to an episode's lifecycle fields (``x.tier = ...``, ``x.tier, x.admitted_on = ...``)
    and ``episode_bump`` calls naming one: the writes only the core's episode services may make."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr in LIFECYCLE_FIELDS:
                        found.append((node.lineno, part.attr))
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == "episode_bump":
                found += [
                    (node.lineno, arg.value)
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and arg.value in LIFECYCLE_FIELDS
                ]
    return found


def test_the_lifecycle_check_finds_direct_writes():
    assert lifecycle_writes("locked.tier, locked.admitted_on = 2, day")
    assert lifecycle_writes("episode.discharged_on = day")
    assert lifecycle_writes("core.episode_bump(locked, 'discharge_reason')")
    assert not lifecycle_writes("core.episode_discharge(episode=locked, on=day, reason='completed')")


def test_only_core_services_write_the_episode_lifecycle_fields():
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{line} writes {field}"
        for path in feature_modules()
        for line, field in lifecycle_writes(path.read_text())
    ]
    assert offenders == []
