"""Pages of signing in: the second factor, the idle sign-out warning, and the owner's API tokens."""

from base64 import b32encode
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.rules import rule

from . import selectors, services
from .lockout import lockout_response
from .second_factor import confirmed_device


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


@login_required
def two_factor(request):
    """Enter the code from the authenticator app; the first time, set the app up with the key shown."""
    user = request.user
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return lockout_response(request, None, credentials)
    device = confirmed_device(user)
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    error = ""
    if request.method == "POST":
        code = (request.POST.get("otp_token") or "").strip()
        if code.isdigit() and device.verify_token(code):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return lockout_response(request, None, credentials)
        error = "The code is not right. Enter the 6-digit code your authenticator app shows now."
    return render(
        request,
        "accounts/two_factor.html",
        {
            "setting_up": setting_up,
            "secret": _base32(device) if setting_up else "",
            "config_url": device.config_url if setting_up else "",
            "error": error,
            "next": _next(request),
        },
        status=400 if error else 200,
    )


def _base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def signed_out_idle(request):
    """The warning page after the idle timeout: what happened, and a way back to where the user was."""
    sign_in = f"/sign-in/?{urlencode({'next': _next(request)})}"
    return render(
        request, "accounts/signed_out_idle.html", {"minutes": rule("session_idle_minutes"), "sign_in": sign_in}
    )


def keep_alive(request):
    """Any request keeps a session alive (the idle middleware notes it); the warning's button calls this."""
    return HttpResponse(status=204)


@login_required
def tokens(request):
    return render(request, "accounts/tokens.html", {"tokens": selectors.api_tokens_of(request.user)[:100]})


@login_required
@require_POST
def token_revoke(request, pk):
    try:
        token = services.api_token_revoke(user=request.user, token_id=pk)
    except services.TokenNotFound:
        raise Http404("No such token.")
    messages.success(request, f"Token {token.prefix}... revoked: it no longer works.")
    return redirect("accounts:tokens")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view; the link in the e-mail starts with PUBLIC_BASE_URL, not the host the request named."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {"public_base_url": settings.PUBLIC_BASE_URL}
        return super().form_valid(form)
