"""`manage.py backup [--dir DIR]`: the database and uploaded/generated files in one archive (`make backup`)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pathway.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or the SQLite file) and MEDIA_ROOT into one tar archive."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(Path(settings.VAR_DIR) / "backups"), help="Where to write it.")

    def handle(self, *args, dir, **options):
        try:
            archive = backup_create(target_dir=Path(dir))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(archive))
