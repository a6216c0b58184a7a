"""Who must confirm their sign-in with a code from an authenticator app (TOTP, django-otp)."""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.access import user_roles


def second_factor_required(user) -> bool:
    """Required for the roles in OTP_REQUIRED_ROLES (and superusers); optional for the others, but once a
    user has set up an authenticator, their sign-ins need it too."""
    if not settings.OTP_ENABLED or not user or not user.is_authenticated:
        return False
    required = set(settings.OTP_REQUIRED_ROLES)
    if required and (user_roles(user) & required or user.is_superuser):
        return True
    known = getattr(user, "_painway_has_authenticator", None)  # read with the user (accounts.backends)
    return known if known is not None else TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
