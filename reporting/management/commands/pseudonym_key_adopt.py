"""Record the decision to change the pseudonym key: every pseudonym in later data sets changes."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from pathway.errors import DomainError
from reporting.pseudonyms import pseudonym_key_adopt


class Command(BaseCommand):
    help = "Adopt the configured PSEUDONYM_KEY under PSEUDONYM_KEY_VERSION, with the reason for the change."

    def add_arguments(self, parser):
        parser.add_argument("--reason", required=True, help="Why the key changes (e.g. suspected disclosure)")
        parser.add_argument("--by", default=None, help="Who decided (defaults to the operating-system user)")

    def handle(self, *args, reason, by, **options):
        try:
            row = pseudonym_key_adopt(reason=reason, adopted_by=by or getpass.getuser())
        except DomainError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(f"Pseudonym key version {row.version} adopted.")
