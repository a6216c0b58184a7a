"""Settings for the test suite: the production settings with a test-only key and development flags.

Set in the environment (not just here) so that the processes tests start (a Celery worker, a
``manage.py`` command) start with the same values.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment-0123456789abcdef")
os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: E402, F403
