"""Demo data for the run command: deterministic for a given seed, safe to run twice.

Each step is a function ``step(rng, out)`` that creates what is missing and leaves
what exists. Later features append their step to ``STEPS`` (order matters).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TextIO

from . import cycles, panels, people, publications, reminders

Step = Callable[[random.Random, TextIO], None]

STEPS: list[tuple[str, Step]] = [
    ("people", people.create_demo_users),
    ("cycles", cycles.create_demo_cycles),
    ("panels", panels.create_demo_panels),
    ("publications", publications.publish_demo_cycle),
    ("reminders", reminders.send_demo_reminders),
]


def register(name: str, step: Step) -> None:
    """Apps built on assurance add their step from ``AppConfig.ready`` (after the steps
    above), so assurance never imports them: dependencies run one way."""
    if all(existing != name for existing, _ in STEPS):
        STEPS.append((name, step))


def run(seed: int, out: TextIO) -> None:
    for name, step in STEPS:
        out.write(f"  demo: {name}\n")
        # One generator per step, derived from the seed: adding a step never changes the others.
        step(random.Random(f"{seed}:{name}"), out)
