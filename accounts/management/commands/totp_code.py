"""Print the current authenticator code of a user (for the demo, and for support on a test system)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from accounts.second_factor import confirmed_device


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code of a user who has an authenticator set up."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        device = confirmed_device(user) if user else None
        if device is None:
            raise CommandError(f"{username} has no authenticator set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
