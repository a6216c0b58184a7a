"""What a locked-out user or address is told (django-axes): JSON under /api/, a page elsewhere."""

from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    wait = f"Try again in {minutes} minutes" if minutes else "Ask an administrator to unlock it"
    message = f"Too many failed sign-in attempts: this account or address is locked. {wait}."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
