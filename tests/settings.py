"""Settings for the test suite: the development values, asked for explicitly.

``wcc.settings`` is production-shaped unless ``DEBUG`` is set (issue 13, finding 6); the
suite is written against the development shape (SQLite, no HTTPS redirect, plain static
files), so it sets ``DEBUG=1`` here, before the one settings module reads the environment.
Processes the tests start (a Celery worker) inherit it. The production shape is tested in
``tests/test_deploy_settings.py`` through ``manage.py`` in a clean environment.
"""

from __future__ import annotations

import os

os.environ["DEBUG"] = "1"

from wcc.settings import *  # noqa: F403

# Hashing a password the production way (PBKDF2, ~1M iterations) costs a third of a second;
# the suite creates thousands of users. Production keeps Django's default hashers: only the
# suite's settings change them.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
