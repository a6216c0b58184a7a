"""Password sign-in, and the signed-in user read back on each request (Django's ModelBackend)."""

from __future__ import annotations

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.batch import CountOf, PreparedReads


def _signed_in(user_id: int) -> dict:
    return {
        "user": get_user_model()._default_manager.filter(pk=user_id)[:1],
        "roles": Group.objects.filter(user__pk=user_id).order_by("name"),
        "authenticators": CountOf(TOTPDevice.objects.filter(user__pk=user_id, confirmed=True)),
    }


# Compiled once per process (``pathway.batch.PreparedReads``): every request reads them.
SIGNED_IN = PreparedReads(_signed_in, "user_id")


class ModelBackend(backends.ModelBackend):
    """Django's own, except that each request reads the signed-in user, their roles (groups) and whether
    they have a confirmed authenticator in one round trip (``pathway.batch``), instead of three: every
    page checks the roles and the second factor. Read afresh on every request, like the user."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager
        if connections[users.db].vendor != "postgresql":
            return super().get_user(user_id)  # no round trip to save: roles and device read when needed
        try:
            user_id = users.model._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding an id of the wrong form
            return None
        if type(user_id) is not int:
            return super().get_user(user_id)  # a user model keyed otherwise than by a number
        read = SIGNED_IN(user_id=user_id)
        user = read["user"][0] if read["user"] else None
        if user is None or not self.user_can_authenticate(user):
            return None
        user._painway_roles = {group.name for group in read["roles"]}
        user._painway_has_authenticator = read["authenticators"] > 0
        return user
