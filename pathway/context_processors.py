from django.conf import settings

from .access import user_roles
from .models import Role
from .navigation import navigation_for
from .rules import rule


def roles(request):
    user = getattr(request, "user", None)
    return {
        "navigation": navigation_for(user, request.path) if user is not None and user.is_authenticated else [],
        "user_roles": user_roles(getattr(request, "user", None)),
        "Role": Role,
        "service_name": settings.SERVICE_NAME,
        "idle_seconds": rule("session_idle_minutes") * 60,
    }
