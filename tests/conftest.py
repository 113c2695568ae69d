"""Shared fixtures: reference data from fixtures/, and the standard cast of users.

Alice works for Camden PCT (London), Bob for Islington PCT (London), Dave for
County Durham PCT (North East). Ann is Camden's approver. Sara assesses for London,
Nick for the North East; Lena leads London's panels. Dora is DH staff.
"""

from __future__ import annotations

import os

import pytest

from assurance.models import PCT, SHA, Role, User
from tests.factories import CycleFactory, pct_user, sha_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """End PostgreSQL sessions other than ours before the test database is dropped.

    A Celery worker the fault tests kill, or a live-server thread of a browser test, can
    leave a session open for a moment, and ``DROP DATABASE`` then fails at teardown.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tasks run eagerly in tests unless a test asks for the real worker."""
    from wcc.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """Each test gets an empty in-process cache: with Redis shared by pytest-xdist workers
    (each with its own database and overlapping primary keys) a cached league table of one
    test could otherwise be served to another."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"tests-{os.getpid()}",
        }
    }
    from django.core.cache import cache

    from assurance.api.auth import worker_counts
    from assurance.api.http import forget_local

    cache.clear()
    forget_local()
    worker_counts.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reference_data(db):
    from assurance.services.reference import load_reference_data

    load_reference_data()


@pytest.fixture
def camden(reference_data) -> PCT:
    return PCT.objects.get(code="5K7")


@pytest.fixture
def islington(reference_data) -> PCT:
    return PCT.objects.get(code="5K8")


@pytest.fixture
def durham(reference_data) -> PCT:
    return PCT.objects.get(code="5ND")


@pytest.fixture
def london(reference_data) -> SHA:
    return SHA.objects.get(code="Q36")


@pytest.fixture
def north_east(reference_data) -> SHA:
    return SHA.objects.get(code="Q30")


@pytest.fixture
def alice(camden) -> User:
    return pct_user(camden, full_name="Alice Staff", email="alice@camden.example")


@pytest.fixture
def ann(camden) -> User:
    return pct_user(camden, Role.PCT_APPROVER, full_name="Ann Approver", email="ann@camden.example")


@pytest.fixture
def bob(islington) -> User:
    return pct_user(islington, full_name="Bob Staff", email="bob@islington.example")


@pytest.fixture
def dave(durham) -> User:
    return pct_user(durham, full_name="Dave Staff", email="dave@durham.example")


@pytest.fixture
def sara(london) -> User:
    return sha_user(london, full_name="Sara Assessor", email="sara@london.example")


@pytest.fixture
def sam(london) -> User:
    return sha_user(london, full_name="Sam Assessor", email="sam@london.example")


@pytest.fixture
def lena(london) -> User:
    return sha_user(london, Role.SHA_LEAD, full_name="Lena Lead", email="lena@london.example")


@pytest.fixture
def nick(north_east) -> User:
    return sha_user(north_east, full_name="Nick Assessor", email="nick@northeast.example")


@pytest.fixture
def dora(reference_data) -> User:
    from tests.factories import UserFactory

    return UserFactory(role=Role.DH_STAFF, full_name="Dora DH", email="dora@dh.example")


@pytest.fixture
def cycle(reference_data):
    """The 2009/10 cycle with phase 1 (self-assessment) open."""
    return CycleFactory(year_label="2009/10", open_phase=1)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    """Browser journeys need Debian's Chromium: skipped without it, except in CI, where
    ``WCC_REQUIRE_BROWSER=1`` makes a missing browser a failure rather than a skip."""
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.path.exists(chromium) or os.environ.get("WCC_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {chromium} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium (``playwright install`` cannot download here)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def sign_in(live_server):
    """Sign a Playwright page in through the real login form: ``sign_in(page, user)``."""

    def _sign_in(page, user, password: str = "correct horse battery staple") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in


@pytest.fixture
def screenshot_dir():
    """Screenshots go under screenshots/ (git-ignored); docs/ copies a few."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "screenshots"
    path.mkdir(exist_ok=True)
    return path
