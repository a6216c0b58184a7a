"""Session rules on every request: the idle timeout, and the second factor for the roles that need it."""

import time
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from pathway.rules import rule

from .second_factor import second_factor_required

# The session's last-activity time is written at most this often (seconds), not on every request.
ACTIVITY_RESOLUTION = 30
# Reachable without a verified second factor: signing in and out, the code page, health and assets.
SECOND_FACTOR_EXEMPT = ("/account/two-factor/", "/sign-out/", "/sign-in/", "/static/", "/healthz", "/readyz")


class SessionIdleTimeoutMiddleware:
    """A browser session with no request for ``session_idle_minutes`` (a rule) is signed out; the next page
    explains why (the warning page) and signs in again back to where the user was."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get("last_activity")
            if last is not None and now - last > rule("session_idle_minutes") * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "You were signed out after a period without activity.", "code": "session_idle"},
                        status=401,
                    )
                if request.headers.get("HX-Request") == "true":
                    # A part of a page asked: the whole page goes to the warning, not the part.
                    page = request.headers.get("HX-Current-URL") or "/"
                    return HttpResponseClientRedirect(f"/account/signed-out/?{urlencode({'next': page})}")
                return redirect(f"/account/signed-out/?{urlencode({'next': request.get_full_path()})}")
            # A page refreshing itself (htmx polling, marked by the template) is not the user's activity.
            polled = request.headers.get("X-Painway-Poll") == "1"
            if last is None or (not polled and now - last > ACTIVITY_RESOLUTION):
                request.session["last_activity"] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A signed-in user who needs a second factor and has not given one this session sees only the code
    page (API calls on the session get a 403 saying so). Token calls are checked when the token is issued."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(SECOND_FACTOR_EXEMPT)
            and not user.is_verified()
            and second_factor_required(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Confirm your sign-in with the code from your authenticator app first.",
                        "code": "second_factor_required",
                    },
                    status=403,
                )
            return redirect(f"/account/two-factor/?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
