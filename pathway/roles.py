"""The role groups of DESIGN.md section 10, created by a data migration and by seed_demo."""

from django.contrib.auth.models import Group

from .models import Role


def ensure_role_groups() -> dict[str, Group]:
    return {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
