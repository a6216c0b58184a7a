"""Demo data for `manage.py seed_demo`: organisations, users, patients.

Each app adds its part of the pathway through its own services in ``<app>/demo.py`` (a
``seed(ctx)`` function); the command runs them in pathway order. Everything is deterministic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import nhs_number
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Commissioner, Patient, Practice, Role, StaffProfile, Team
from .roles import ensure_role_groups

DEMO_PASSWORD = "painway-demo"
# The demo's authenticator key for the roles that need a second factor (base32, for an authenticator
# app: OBQWS3TXMF4S2ZDFNVXS2MTGMEWWWZLZ); `manage.py totp_code <username>` prints the current code.
DEMO_TOTP_KEY_HEX = b"painway-demo-2fa-key".hex()
DEMO_TOTP_ROLES = (Role.SERVICE_LEAD, Role.ADMIN, Role.COMMISSIONER)
DEMO_USERS = [
    # username, role, first, last, job title
    ("spa", Role.SPA_TRIAGE, "Sam", "Patel", "SPA triage nurse"),
    ("clinician", Role.CLINICIAN, "Chris", "Okafor", "Consultant in pain medicine"),
    ("physio", Role.CLINICIAN, "Priya", "Hughes", "Advanced physiotherapist"),
    ("lead", Role.SERVICE_LEAD, "Lee", "Morgan", "Service lead"),
    ("commissioner", Role.COMMISSIONER, "Cara", "Bell", "Commissioning manager"),
    ("gp", Role.GP_PRACTICE, "Gita", "Rao", "GP"),
    ("admin", Role.ADMIN, "Ada", "Stone", "System administrator"),
]

GIVEN = [
    "Ann",
    "Brian",
    "Carol",
    "David",
    "Emma",
    "Farid",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Laura",
    "Mohammed",
    "Nina",
    "Oliver",
    "Priti",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tara",
    "Uma",
    "Victor",
    "Wendy",
    "Yusuf",
]
FAMILY = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Khan",
    "Ali",
    "Begum",
    "Lewis",
    "Harris",
    "Clarke",
]
STREETS = ["Station Road", "Church Lane", "Park Avenue", "Mill Street"]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
PRACTICES = [
    ("A81001", "The Densham Surgery", "QHM", "X26ABC2"),
    ("A81002", "Queens Park Medical Centre", "QHM", "X26ABC3"),
    ("A81004", "Acklam Medical Centre", "QHM", "X26ABC2"),
    ("A81005", "Springwood Surgery", "QHM", ""),
    ("B82001", "Riverside Health Centre", "QOQ", "X26ABC3"),
    ("B82002", "Moor Lane Practice", "QOQ", ""),
]
COMMISSIONERS = [
    ("QHM", "NHS North East and North Cumbria ICB"),
    ("QOQ", "NHS Humber and North Yorkshire ICB"),
]


@dataclass
class DemoContext:
    today: date
    rng: random.Random
    users: dict = field(default_factory=dict)
    practices: list = field(default_factory=list)
    patients: list = field(default_factory=list)
    teams: dict = field(default_factory=dict)
    episodes: list = field(default_factory=list)


def demo_nhs_number(rng: random.Random) -> str:
    """A valid NHS number in the synthetic range 999 (never issued to a real person)."""
    while True:
        first9 = "999" + "".join(rng.choice("0123456789") for _ in range(6))
        check = nhs_number.calculate_checksum(first9)
        if check is not None and check < 10:
            return f"{first9}{check}"


def seed_base(ctx: DemoContext, *, patients: int = 300) -> None:
    groups = ensure_role_groups()
    commissioners = {
        code: Commissioner.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in COMMISSIONERS
    }
    for ods, name, comm, mailbox in PRACTICES:
        practice, _ = Practice.objects.get_or_create(
            ods_code=ods,
            defaults={
                "name": name,
                "commissioner": commissioners[comm],
                "mesh_mailbox": mailbox,
                "address": f"{name}\n1 High Street\nDarlington",
                "postcode": "DL1 1AA",
            },
        )
        ctx.practices.append(practice)
    ctx.teams["tier2"] = Team.objects.get_or_create(code="tier2", defaults={"name": "Tier 2 community pain team"})[0]
    ctx.teams["tier3"] = Team.objects.get_or_create(code="tier3", defaults={"name": "Tier 3 specialist pain MDT"})[0]

    User = get_user_model()
    for username, role, first, last, title in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@painway.example"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
        user.groups.add(groups[role])
        StaffProfile.objects.get_or_create(
            user=user,
            defaults={
                "job_title": title,
                "practice": ctx.practices[0] if role == Role.GP_PRACTICE else None,
                "commissioner": commissioners["QHM"] if role == Role.COMMISSIONER else None,
            },
        )
        if role in DEMO_TOTP_ROLES:
            TOTPDevice.objects.get_or_create(
                user=user, name="Demo authenticator", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
            )
        ctx.users[username] = user
    for name in ("clinician", "physio", "lead"):
        ctx.teams["tier2"].members.add(ctx.users[name])
        ctx.teams["tier3"].members.add(ctx.users[name])

    rng = ctx.rng
    for i in range(patients):
        age_days = rng.randint(19 * 365, 88 * 365)
        patient = Patient.objects.create(
            nhs_number=demo_nhs_number(rng),
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=ctx.today - timedelta(days=age_days),
            sex=rng.choice(["female", "male", "female", "male", "other"]),
            address=f"{rng.randint(1, 200)} {rng.choice(STREETS)}\nDarlington",
            postcode=f"DL{rng.randint(1, 3)} {rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}",
            phone=f"07700 900{i % 1000:03d}",
            email=f"patient{i}@example.invalid",
            interpreter_needed=i % 17 == 0,
            interpreter_language="Polish" if i % 17 == 0 else "",
            veteran=i % 23 == 0,
            practice=rng.choice(ctx.practices),
        )
        ctx.patients.append(patient)
