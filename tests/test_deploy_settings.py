"""Production settings pass Django's deployment checks, and refuse to start without a key."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-for-the-check-only-0123456789abcdef",
    "ALLOWED_HOSTS": "wcc.example.nhs.uk",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing of the test run's own (tests/settings.py sets DEBUG=1).
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
        and not k.startswith(("SECURE_", "SESSION_", "CSRF_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _manage("check", env={"DEBUG": "0", "ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_code_only_commands_need_no_secret_on_a_clean_checkout():
    result = _manage("makemigrations", "--check", "--dry-run", env={})
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_debug_is_off_unless_set():
    """Issue 13, finding 6: an unset DEBUG was on; now it is the production shape."""
    result = _manage("check", env={})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    show = "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    result = _manage(
        "shell", "--no-imports", "-c", show, env={"SECRET_KEY": PRODUCTION["SECRET_KEY"]}
    )
    assert result.stdout.split() == ["False", "True", "True"], result.stderr


def _compose_environment(overrides: dict[str, str]) -> dict[str, str]:
    """The app services' environment as compose would give it with no .env: each
    ``${VAR:-default}`` its default, ``${VAR:?message}`` from ``overrides`` or refused."""
    env = {}
    for name, value in _compose()["x-app"]["environment"].items():
        match = re.fullmatch(r"\$\{(\w+)(:-|:\?)(.*)\}", str(value))
        if match is None:
            env[name] = str(value)
        elif match[2] == ":-":
            env[name] = overrides.get(match[1], match[3])
        else:
            assert match[1] in overrides, f"compose requires {match[1]}: {match[3]}"
            env[name] = overrides[match[1]]
    return env


def test_compose_refuses_to_start_without_a_secret_key():
    app_env = _compose()["x-app"]["environment"]
    assert app_env["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY in .env}"
    assert app_env["DEBUG"] == "0"


def test_compose_defaults_to_secure_cookies_and_an_https_redirect_behind_the_proxy():
    env = _compose_environment({"SECRET_KEY": "x"})
    assert env["SECURE_SSL_REDIRECT"] == "1"
    assert env["SESSION_COOKIE_SECURE"] == "1"
    assert env["CSRF_COOKIE_SECURE"] == "1"
    assert env["BEHIND_PROXY"] == "1"


def test_check_deploy_is_clean_with_composes_own_settings():
    env = _compose_environment({"SECRET_KEY": PRODUCTION["SECRET_KEY"]})
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def _compose() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_bounds_redis_memory_with_an_eviction_policy():
    command = _compose()["services"]["redis"]["command"]
    assert command[command.index("--maxmemory") + 1] == "256mb"
    # The Celery broker shares this Redis: evict only keys with an expiry (the cache's).
    assert command[command.index("--maxmemory-policy") + 1] == "volatile-lru"


def test_processes_share_one_cache_without_redis(tmp_path):
    """Issue 13, finding 8: with a per-process cache a superseded publication showed as
    current in other processes for up to an hour. Two processes, one cache."""
    env = {"DEBUG": "1", "WCC_VAR_DIR": str(tmp_path), "REDIS_URL": ""}
    write = "from django.core.cache import cache; cache.set('shared-check', 'seen', 60)"
    read = "from django.core.cache import cache; print(cache.get('shared-check'))"
    assert _manage("shell", "--no-imports", "-c", write, env=env).returncode == 0
    result = _manage("shell", "--no-imports", "-c", read, env=env)
    assert result.stdout.strip() == "seen", result.stderr


def test_the_cache_is_redis_when_redis_url_is_set():
    env = {"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/5"}
    show = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    result = _manage("shell", "--no-imports", "-c", show, env=env)
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache", result.stderr
