"""`manage.py restore FILE`: put a backup archive back into an empty database and MEDIA_ROOT (`make restore`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pathway.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into the configured (empty) database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        archive = Path(file)
        if not archive.is_file():
            raise CommandError(f"No backup file at {archive}.")
        try:
            manifest = backup_restore(archive=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored the {manifest['database']} backup made at {manifest['created_at']}.")
