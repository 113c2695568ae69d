"""Tier computation for N synthetic organisations (issue 5 goal: 10,000 in ≤ 2 s).

    uv run python benchmarks/publication/tiers_10k.py --orgs 10000 --repeat 5

Pure: no database. Synthetic results are random levels 1–4 for 11 competencies, random
governance ratings and outcome scores in eighths, deterministic with --seed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assurance.rules.tiers import PCTResult, RuleSettings, compute_tiers


def synthetic(n: int, seed: int) -> list[PCTResult]:
    rng = random.Random(seed)
    return [
        PCTResult(
            key=f"ORG{i:05d}",
            competency_levels={c: rng.choice((1, 2, 2, 3, 3, 3, 4, 4)) for c in range(1, 12)},
            governance={
                a: rng.choice(("red", "amber", "green", "green"))
                for a in ("strategy", "finance", "board")
            },
            outcome_score=Decimal(rng.randint(0, 8)) / 8,
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2009)
    args = parser.parse_args()
    results = synthetic(args.orgs, args.seed)
    rules = RuleSettings(freedoms_cap=args.orgs // 10, notice_cap=args.orgs // 20)
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        tiered = compute_tiers(results, rules)
        timings.append(time.perf_counter() - started)
    tiers = Counter(t.tier.value for t in tiered)
    print(
        f"{args.orgs} organisations, {args.repeat} runs: "
        f"best {min(timings):.3f} s, median {statistics.median(timings):.3f} s "
        f"(goal ≤ 2 s); tiers {dict(tiers)}"
    )


if __name__ == "__main__":
    main()
