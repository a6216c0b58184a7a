from django.conf import settings

from .access import user_roles
from .models import Role
from .rules import rule


def roles(request):
    return {
        "user_roles": user_roles(getattr(request, "user", None)),
        "Role": Role,
        "service_name": settings.SERVICE_NAME,
        "idle_seconds": rule("session_idle_minutes") * 60,
    }
