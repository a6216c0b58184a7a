"""The bench population's fixed parts: commissioners, practices, staff, names and small helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from django.contrib.auth import get_user_model

from pathway.calendar import LONDON, add_working_days
from pathway.models import (
    Commissioner,
    Practice,
    Role,
    StaffProfile,
    Team,
)
from pathway.roles import ensure_role_groups

COMMISSIONERS = [("ZB1", "Bench North ICB"), ("ZB2", "Bench South ICB"), ("ZB3", "Bench West ICB")]
PRACTICES_PER_COMMISSIONER = 20
BENCH_USERS = {
    "bench-spa": Role.SPA_TRIAGE,
    "bench-lead": Role.SERVICE_LEAD,
    "bench-clinician": Role.CLINICIAN,
    "bench-commissioner": Role.COMMISSIONER,
}
YEARS = 3
DISCHARGE_REASONS = [
    ("completed", 65),
    ("disengaged", 14),
    ("declined", 7),
    ("no_longer_appropriate", 6),
    ("left_area", 4),
    ("onward_referral", 3),
    ("died", 1),
]
GIVEN = ["Alex", "Sam", "Jo", "Chris", "Pat", "Lee", "Kim", "Robin", "Jamie", "Morgan"]
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright"]
SITES = ["lower back", "neck", "widespread", "knee", "shoulder", "pelvis", "abdomen", "face"]


@dataclass
class Staff:
    users: dict
    teams: list
    practices: list
    commissioners: list = field(default_factory=list)


def nhs_numbers(start: int):
    """Valid (mod 11) NHS numbers in a range no real service issues from (9000000000 upwards)."""
    base = 900_000_000 + start
    while True:
        digits = f"{base:09d}"
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            yield digits + str(check)
        base += 1


@cache
def working_days_after(start: date, n: int) -> date:
    return add_working_days(start, n)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def ensure_staff() -> Staff:
    """The bench's commissioners, practices, teams and one user per role (idempotent)."""
    groups = ensure_role_groups()
    commissioners = [Commissioner.objects.get_or_create(code=c, defaults={"name": n})[0] for c, n in COMMISSIONERS]
    practices = []
    for ci, commissioner in enumerate(commissioners):
        for i in range(PRACTICES_PER_COMMISSIONER):
            practices.append(
                Practice.objects.get_or_create(
                    ods_code=f"Y{ci}{i:03d}",
                    defaults={
                        "name": f"Bench practice {ci}-{i}",
                        "commissioner": commissioner,
                        "address": "1 High Street\nDarlington",
                        "postcode": "DL1 1AA",
                    },
                )[0]
            )
    teams = [
        Team.objects.get_or_create(code=f"bench-team-{i}", defaults={"name": f"Bench team {i}"})[0] for i in range(4)
    ]
    users = {}
    User = get_user_model()
    for username, role in BENCH_USERS.items():
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": "Bench", "last_name": role})
        user.groups.add(groups[role])
        StaffProfile.objects.get_or_create(
            user=user, defaults={"commissioner": commissioners[0] if role == Role.COMMISSIONER else None}
        )
        users[username] = user
    teams[0].members.add(users["bench-clinician"])
    return Staff(users=users, teams=teams, practices=practices, commissioners=commissioners)


def _weighted(rng: random.Random, choices):
    total = sum(w for _, w in choices)
    pick = rng.uniform(0, total)
    for value, weight in choices:
        pick -= weight
        if pick <= 0:
            return value
    return choices[-1][0]
