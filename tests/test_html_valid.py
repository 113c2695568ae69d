"""Every page validates: the Nu HTML Checker (vnu.jar, the W3C's validator, a judge from
outside this project) reports no error on a page of each URL pattern, as a role that may
open it, nor on the error pages (issue 14).

vnu.jar comes from npm (``npm install --prefix .tools/vnu vnu-jar``; ``.ci/run`` does it)
and needs Java. Without them the test is skipped, unless ``WCC_REQUIRE_VNU=1`` (CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_permissions_matrix import GET, ROLES, _client_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

VNU = (
    settings.BASE_DIR / ".tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
#: Prefer the role that sees most of a page.
PREFERRED = ("dora", "lena", "alice", "ann", "sara", "pia", "bob", "nick", "pat", "anon")


def _checker() -> list[str]:
    java = shutil.which("java")
    if java and VNU.is_file():
        return [java, "-Xss4m", "-jar", str(VNU)]
    if os.environ.get("WCC_REQUIRE_VNU") == "1":
        pytest.fail(f"the Nu HTML Checker is required: java={java}, {VNU} missing")
    pytest.skip("the Nu HTML Checker (java + .tools/vnu) is not installed")


def test_every_page_is_valid_html(world, tmp_path):  # noqa: F811
    checker = _checker()
    tmp_path = tmp_path / "pages"  # MEDIA_ROOT is a sibling: PDFs are not pages
    tmp_path.mkdir()
    clients: dict = {}
    pages: dict[str, str] = {}
    for name, (args, expected) in sorted(GET.items()):
        role = next((r for r in PREFERRED if expected.get(r) == 200), None)
        if role is None:
            continue
        path = reverse(name, args=args(world))
        response = _client_for(role, world, clients).get(path)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        assert response.status_code == 200, (name, role, response.status_code)
        pages[f"{name.replace(':', '--')}.html"] = f"{name} as {role} ({path})"
        (tmp_path / f"{name.replace(':', '--')}.html").write_bytes(response.content)
    # The error pages people meet.
    for role, status, path in (("anon", 404, "/no-such-page/"), ("alice", 403, "/cycles/")):
        response = _client_for(role, world, clients).get(path)
        assert response.status_code == status and "text/html" in response["Content-Type"]
        pages[f"error-{status}.html"] = f"the {status} page ({path})"
        (tmp_path / f"error-{status}.html").write_bytes(response.content)
    assert len(pages) > 40, sorted(pages)

    run = subprocess.run(
        [*checker, "--errors-only", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    problems = [
        f"{pages.get(Path(m.get('url', '')).name, m.get('url'))}: line {m.get('lastLine')}: "
        f"{m.get('message')} [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not problems, "\n".join(problems)
