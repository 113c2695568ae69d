"""The project's settings plus one trivial view, for the throughput comparison."""

from wcc.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
