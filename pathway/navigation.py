"""The header's service navigation and each role's home (DESIGN.md sections 10 and 11).

Paths, not imports: the core names no feature app. Features add the counts on the service lead's home
with ``register_home_task``.
"""

from __future__ import annotations

from collections.abc import Callable

from .access import user_commissioner_id, user_practice_id, user_roles
from .models import Role

# At most six items a role, its most used pages first (the NHS.UK header navigation).
NAVIGATION = {
    Role.SPA_TRIAGE: [
        ("Triage queue", "/triage/"),
        ("Triage breaches", "/triage/breaches/"),
        ("New referral", "/referrals/new/"),
        ("Letters", "/letters/"),
        ("Find a patient", "/patients/"),
    ],
    Role.CLINICIAN: [
        ("Work list", "/care/worklist/"),
        ("Red flags to review", "/triage/red-flags/"),
        ("MDT reviews", "/care/mdt/"),
        ("Groups", "/care/groups/"),
        ("Letters", "/letters/"),
        ("Find a patient", "/patients/"),
    ],
    Role.SERVICE_LEAD: [
        ("Tasks", "/"),
        ("Triage queue", "/triage/"),
        ("Patient tracking list", "/reports/ptl/"),
        ("KPIs", "/reports/kpis/"),
        ("Letters", "/letters/"),
        ("Find a patient", "/patients/"),
    ],
    Role.COMMISSIONER: [
        ("KPI dashboard", "/reports/kpis/"),
        ("Activity", "/reports/activity/"),
        ("Over 9 months", "/reports/over-9-months/"),
        ("Monthly data sets", "/reports/mds/"),
    ],
    Role.GP_PRACTICE: [
        ("Referrals", "/referrals/"),
        ("Letters inbox", "/letters/inbox/"),
        ("Refer a patient", "/referrals/new/"),
        ("Find a patient", "/patients/"),
    ],
    Role.ADMIN: [("Administration", "/admin/")],
}

# Where each role's day starts; the service lead (and anyone with several roles) has the task home.
ROLE_HOME = {
    Role.SPA_TRIAGE: "/triage/",
    Role.CLINICIAN: "/care/worklist/",
    Role.COMMISSIONER: "/reports/kpis/",
    Role.GP_PRACTICE: "/referrals/",
}

HomeTask = Callable[[object], "dict | None"]
HOME_TASKS: list[HomeTask] = []


def register_home_task(task: HomeTask) -> None:
    """``task(user) -> {"label", "count", "href"}`` (or None): one count on the service lead's home."""
    if task not in HOME_TASKS:
        HOME_TASKS.append(task)


def primary_role(user) -> str | None:
    roles = user_roles(user)
    return next(iter(roles)) if len(roles) == 1 else (Role.SERVICE_LEAD if Role.SERVICE_LEAD in roles else None)


def navigation_for(user, path: str) -> list[dict]:
    role = primary_role(user)
    if role is None and getattr(user, "is_superuser", False):
        role = Role.ADMIN
    items = NAVIGATION.get(role, [])
    current = max(
        (href for _, href in items if href == path or (href != "/" and path.startswith(href))), key=len, default=None
    )
    return [{"label": label, "href": href, "current": href == current} for label, href in items]


def home_for(user) -> str | None:
    """The page a single-role user's home is; None for the task home."""
    roles = user_roles(user)
    if len(roles) != 1:
        return None
    role = next(iter(roles))
    # An account not yet tied to its organisation keeps the plain home rather than a page it cannot open.
    if (role == Role.COMMISSIONER and not user_commissioner_id(user)) or (
        role == Role.GP_PRACTICE and not user_practice_id(user)
    ):
        return None
    return ROLE_HOME.get(role)


def home_tasks(user) -> list[dict]:
    return [row for task in HOME_TASKS if (row := task(user)) is not None]
