"""Open-loop load (issue 13, "Load as people make it"): requests arrive on a schedule, as
people make them, whether or not earlier ones have returned.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_load \\
    REDIS_URL=redis://127.0.0.1:6379/7 SECRET_KEY=... \\
        uv run python benchmarks/load/open_loop.py --seconds 600              # one run at 1×
    ... open_loop.py --search 0.5:0.25:3 --step-seconds 60                   # rate search

At scale 1 (a real peak): 150 PCT editors autosaving about every 3 s (≈ 50/s), 30 assessors
posting a score sheet every 20 s (≈ 1.5/s) and 100 signed-out readers every 5 s (≈ 20/s),
half of them the league table and half a PCT's report page. ``--scale F`` multiplies the
number of people in every class (so F× the arrival rate); editors beyond the 152 PCTs share
a PCT on different competencies.

Arrivals are Poisson for each person (exponential gaps: mean 20 s for an assessor, 5 s for a
reader). An editor's autosave fires 1 s after they stop typing (``hx-trigger="input
delay:1s"``), so its gaps are 1 s plus an exponential of mean 2 s: mean 3 s. The page posts
with ``hx-sync="this:queue last"``, so a browser never has two saves of one form in flight:
a save due while the form's previous one is still out waits, and a later one replaces it
(its text carries both). The client does the same. Every scheduled autosave gets a latency:
from when it was due to when the server acknowledged the request that carried its text. All
latencies are completion − scheduled time, so they include any queueing, in the client's
connection cap or in the server (no coordinated omission).

The server is ``benchmarks/gunicorn.py`` (DEBUG off, SECRET_KEY and REDIS_URL from the
environment, Redis cache, plain HTTP on loopback). The client is asyncio over a shared pool of
keep-alive connections, as a proxy in front of gunicorn would hold, capped at
``--max-in-flight`` requests; a request over the cap waits for a slot and that wait counts.
Set-up, sessions and the "acknowledged = saved" check are those of ``mixed_load.py``: the sum
of the ratings' versions in the editors' cycle must equal the saves the server acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
import json
import math
import os
import random
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from benchmarks.gunicorn import serve  # noqa: E402
from benchmarks.load.mixed_load import (  # noqa: E402
    EDIT_CYCLE,
    VERSION,
    _headers,
    prepare,
)

RESULTS = ROOT / "benchmarks" / "results"
BASE = {"editors": 150, "assessors": 30, "readers": 100}
AUTOSAVE, SCORE, LEAGUE, REPORT = "autosave", "score sheet", "league table", "PCT report"


class NoResponse(ConnectionError):
    pass


class Pool:
    """Keep-alive HTTP/1.1 connections to one server, shared by every virtual person, at most
    ``cap`` requests in flight. Connections idle for 1 s are dropped rather than reused
    (gunicorn closes them after 2 s), and a request that meets a closed kept-alive
    connection before any answer is sent again on a new one."""

    def __init__(self, port: int, cap: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.slots = asyncio.Semaphore(cap)
        self.idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.in_flight = self.peak = self.opened = self.retried = 0

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        async with self.slots:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                return await asyncio.wait_for(
                    self._exchange(method, path, body, headers or {}), self.timeout
                )
            finally:
                self.in_flight -= 1

    async def _exchange(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str]:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        now, reused = time.monotonic(), False
        while self.idle:
            since, reader, writer = self.idle.pop()
            if now - since < 1.0 and not reader.at_eof():
                reused = True
                break
            writer.close()
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.opened += 1
        try:
            writer.write(head.encode("latin-1") + body)
            status, text, keep = await self._response(reader)
        except (NoResponse, ConnectionResetError, BrokenPipeError):
            writer.close()
            if not reused:
                raise
            # The server closed the kept-alive connection as the request went out (its 2 s
            # keep-alive ran out while this busy client was late reading the last answer):
            # nothing was read, so send it again on a new connection, as browsers do.
            self.retried += 1
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.opened += 1
            try:
                writer.write(head.encode("latin-1") + body)
                status, text, keep = await self._response(reader)
            except BaseException:
                writer.close()
                raise
        except BaseException:
            writer.close()
            raise
        if keep:
            self.idle.append((time.monotonic(), reader, writer))
        else:
            writer.close()
        return status, text

    @staticmethod
    async def _response(reader: asyncio.StreamReader) -> tuple[int, str, bool]:
        line = await reader.readline()
        if not line:
            raise NoResponse("connection closed before a response")
        status = int(line.split()[1])
        length, chunked, keep = None, False, True
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                keep = False
        if chunked:
            parts = []
            while size := int((await reader.readline()).split(b";")[0], 16):
                parts.append(await reader.readexactly(size))
                await reader.readline()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            data = b"".join(parts)
        elif length is not None:
            data = await reader.readexactly(length)
        else:
            data, keep = await reader.read(), False
        return status, data.decode("utf-8", "replace"), keep


@dataclass
class Recorder:
    began: float
    warmup: float
    ends: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    scheduled: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    requests: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    acknowledged: int = 0
    late_starts: list[float] = field(default_factory=list)  # schedule lag of the generator
    load: list[float] = field(default_factory=list)
    forms: dict[tuple[str, int], Form] = field(default_factory=dict)

    def measured(self, due: float) -> bool:
        return self.began + self.warmup <= due < self.ends

    def done(self, action: str, due: float, finished: float) -> None:
        """One scheduled action finished (for an autosave: the request carrying its text)."""
        self.scheduled[action] += 1
        if self.measured(due):
            self.latencies[action].append(finished - due)

    def answered(self, action: str, error: str | None) -> None:
        """One request answered, or failed: errors count requests."""
        self.requests[action] += 1
        if error:
            self.errors[action].append(error)


@dataclass
class Run:
    """What every virtual person shares: the connections, the figures, the server's port and
    the requests still out."""

    pool: Pool
    rec: Recorder
    port: int
    tasks: set[asyncio.Task] = field(default_factory=set)

    def spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


@dataclass
class Form:
    """One competency's autosave form in an editor's browser."""

    version: int = 0
    acknowledged: int = 0  # the version in the last "Saved at" answer
    words: list[str] = field(default_factory=list)
    sending: bool = False
    waiting: list[float] = field(default_factory=list)  # due times queued behind the send


async def _sleep_until(loop: asyncio.AbstractEventLoop, at: float) -> None:
    delay = at - loop.time()
    if delay > 0:
        await asyncio.sleep(delay)


def _arrivals(rng: random.Random, rec: Recorder, mean: float, gap):  # type: ignore[no-untyped-def]
    """Due times from the start until the end: a random phase, then the person's gaps."""
    at, ends = rec.began + rng.uniform(0, mean), rec.ends
    while at < ends:
        yield at
        at += gap(rng)


async def editor(run, session, pct, numbers, mean_gap, seed):  # type: ignore[no-untyped-def]
    pool, rec, port = run.pool, run.rec, run.port
    loop, rng = asyncio.get_running_loop(), random.Random(seed)
    csrf = secrets.token_hex(16)
    forms = {n: Form() for n in numbers}
    rec.forms.update({(pct, n): form for n, form in forms.items()})
    number, left = rng.choice(numbers), 1 + int(rng.expovariate(1 / 20))
    floor = min(1.0, mean_gap / 2)  # the debounce: no save less than 1 s after the last

    async def send(number: int, form: Form, due: list[float]) -> None:
        path = f"/self-assessment/{EDIT_CYCLE.replace('/', '-')}/{pct}/competencies/{number}/"
        headers = {**_headers(session, csrf, port, path), "HX-Request": "true"}
        form.sending = True
        while due:
            body = urlencode(
                {
                    "slot": f"c{number}",
                    f"c{number}-version": form.version,
                    f"c{number}-level": rng.randint(1, 4),
                    f"c{number}-evidence": " ".join(form.words[-300:]),
                }
            ).encode()
            error = None
            try:
                status, text = await pool.request("POST", path, body, headers)
            except (OSError, EOFError, TimeoutError, ValueError, IndexError) as exc:
                error = repr(exc) or type(exc).__name__
            else:
                if match := VERSION.search(text):
                    form.version = int(match.group(2))
                if status == 200 and "Saved at" in text:
                    rec.acknowledged += 1
                    form.acknowledged = form.version
                else:
                    error = f"{status}: {text[:120]!r}"
            finished = loop.time()
            rec.answered(AUTOSAVE, error)
            for at in due:
                rec.done(AUTOSAVE, at, finished)
            due, form.waiting = form.waiting, []
        form.sending = False

    for at in _arrivals(
        rng, rec, mean_gap, lambda r: floor + r.expovariate(1 / (mean_gap - floor))
    ):
        await _sleep_until(loop, at)
        rec.late_starts.append(loop.time() - at)
        if left == 0:  # on to another competency now and then
            number, left = rng.choice(numbers), 1 + int(rng.expovariate(1 / 20))
        left -= 1
        form = forms[number]
        form.words.append(f"w{len(form.words)}")
        if form.sending:
            form.waiting.append(at)  # hx-sync "queue last": the next send carries this text
        else:
            run.spawn(send(number, form, [at]))


async def _one(run, action, due, method, path, body, headers, check):  # type: ignore[no-untyped-def]
    loop, rec = asyncio.get_running_loop(), run.rec
    error = None
    try:
        status, text = await run.pool.request(method, path, body, headers)
        if not check(status, text):
            error = f"{status}: {text[:120]!r}"
    except (OSError, EOFError, TimeoutError, ValueError, IndexError) as exc:
        error = repr(exc) or type(exc).__name__
    rec.answered(action, error)
    rec.done(action, due, loop.time())


async def assessor(run, session, assessments, fields, mean_gap, seed):  # type: ignore[no-untyped-def]
    rec, port = run.rec, run.port
    loop, rng = asyncio.get_running_loop(), random.Random(seed)
    csrf = secrets.token_hex(16)
    for at in _arrivals(rng, rec, mean_gap, lambda r: r.expovariate(1 / mean_gap)):
        await _sleep_until(loop, at)
        rec.late_starts.append(loop.time() - at)
        path = f"/panels/scores/{rng.choice(assessments)}/"
        data = {}
        for name in fields:
            if name.startswith("governance"):
                data[f"{name}__value"] = rng.choice(["red", "amber", "green"])
            else:
                data[f"{name}__value"] = str(rng.randint(1, 4))
            data[f"{name}__rationale"] = "Confirmed at the panel"
        body = urlencode(data).encode()
        headers = _headers(session, csrf, port, path)
        check = lambda status, _text: status == 302  # noqa: E731  saved: back to the sheet
        coro = _one(run, SCORE, at, "POST", path, body, headers, check)
        run.spawn(coro)


async def reader(run, publication, pcts, mean_gap, seed):  # type: ignore[no-untyped-def]
    rec = run.rec
    loop, rng = asyncio.get_running_loop(), random.Random(seed)
    for at in _arrivals(rng, rec, mean_gap, lambda r: r.expovariate(1 / mean_gap)):
        await _sleep_until(loop, at)
        rec.late_starts.append(loop.time() - at)
        if rng.random() < 0.5:
            action, path, expect = LEAGUE, f"/results/{publication}/", "Camden"
        else:
            code, name = rng.choice(pcts)
            action, path, expect = REPORT, f"/results/{publication}/pcts/{code}/", name
        check = lambda status, text, expect=expect: status == 200 and expect in text  # noqa: E731
        coro = _one(run, action, at, "GET", path, b"", {}, check)
        run.spawn(coro)


def quantile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def setup(scale: float) -> dict:
    """``mixed_load.prepare`` for ``scale`` × the base people, plus what readers read."""
    from django.core.cache import cache

    counts = {k: max(1, round(v * scale)) for k, v in BASE.items()}
    per_sha = math.ceil(counts["assessors"] / 10)
    world = prepare(counts["editors"], per_sha)
    # prepare lists assessors SHA by SHA; take them round the SHAs so every SHA has some.
    listed = world["assessors"]
    world["assessors"] = [
        listed[sha * per_sha + j] for j in range(per_sha) for sha in range(len(listed) // per_sha)
    ][: counts["assessors"]]

    from assurance.models import PublishedResult

    results = PublishedResult.objects.filter(publication_id=world["publication"])
    world["pcts"] = [(r.pct.code, html.escape(r.pct.name)) for r in results.select_related("pct")]
    world["counts"] = counts
    cache.clear()  # REDIS_URL's database only: every run starts with a cold cache
    return world


async def drive(world: dict, args: argparse.Namespace, seconds: float) -> tuple[Recorder, Pool]:
    loop = asyncio.get_running_loop()
    pool = Pool(args.port, args.max_in_flight, args.timeout)
    rec = Recorder(began=loop.time() + 1, warmup=args.warmup, ends=loop.time() + 1 + seconds)
    run, edit = Run(pool, rec, args.port), args.edit_every
    # Seeds differ from run to run, so no run repeats an earlier run's texts.
    args.runs_driven = getattr(args, "runs_driven", 0) + 1
    seed = 100_000 * args.runs_driven
    per_round = len({pct for _s, pct in world["editors"]})
    rounds = math.ceil(len(world["editors"]) / per_round)
    numbers = range(1, world["competencies"] + 1)
    # Editors sharing a PCT take different competencies, so never each other's form.
    people = [
        editor(
            run, s, pct, [n for n in numbers if (n - 1) % rounds == i // per_round], edit, seed + i
        )
        for i, (s, pct) in enumerate(world["editors"])
    ]
    people += [
        assessor(run, s, sas, world["score_fields"], args.score_every, seed + 10_000 + i)
        for i, (s, sas) in enumerate(world["assessors"])
    ]
    people += [
        reader(run, world["publication"], world["pcts"], args.read_every, seed + 20_000 + i)
        for i in range(world["counts"]["readers"])
    ]

    async def machine() -> None:  # the 1-minute load average through the run
        while loop.time() < rec.ends:
            rec.load.append(round(os.getloadavg()[0], 2))
            await asyncio.sleep(10)

    await asyncio.gather(*people, machine())
    # Then let what is still out finish (bounded by the request timeout).
    deadline = loop.time() + args.timeout + 5
    while run.tasks and loop.time() < deadline:
        await asyncio.wait(set(run.tasks), timeout=max(0.1, deadline - loop.time()))
    return rec, pool


def quiet_database(seconds: float = 3, bound: float = 120) -> float:
    """Wait until no other session runs a query in this database for ``seconds`` (requests
    the client gave up on may still be queued in gunicorn); returns how long that took."""
    from django.db import connection

    began = quiet_since = time.monotonic()
    while time.monotonic() - began < bound:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
            )
            busy = cursor.fetchone()[0]
        if busy:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= seconds:
            break
        time.sleep(0.25)
    return round(time.monotonic() - began, 1)


def saved_in_db(edit_cycle: int, forms: dict) -> dict:
    """As in mixed_load, the sum of the ratings' versions (each acknowledged save creates a
    rating at version 1 or bumps it by one), and form by form: the version in the database
    against the last version the server acknowledged for that form."""
    from assurance.models import CompetencyRating

    stored = {
        (code, number): version
        for code, number, version in CompetencyRating.objects.filter(
            self_assessment__cycle_id=edit_cycle
        ).values_list("self_assessment__pct__code", "competency__number", "version")
    }
    keys = set(stored) | {k for k, f in forms.items() if f.acknowledged}
    lost = sorted(k for k in keys if stored.get(k, 0) < forms[k].acknowledged)
    unanswered = sorted(k for k in keys if stored.get(k, 0) > forms[k].acknowledged)
    return {
        "sum_of_versions": sum(stored.values()),
        "forms_saved": len(stored),
        "forms_with_an_acknowledged_save_missing": len(lost),
        "forms_saved_beyond_the_last_answer": len(unanswered),
        "examples": [list(k) for k in (lost + unanswered)[:5]],
    }


def run_once(args: argparse.Namespace, scale: float, seconds: float) -> dict:
    world = setup(scale)
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    rec, pool = asyncio.run(drive(world, args, seconds))
    settled_s = quiet_database()
    check = saved_in_db(world["edit_cycle"], rec.forms)
    saved = check["sum_of_versions"]
    measured = max(seconds - args.warmup, 1.0)
    actions = {}
    for action in (AUTOSAVE, SCORE, LEAGUE, REPORT):
        values = rec.latencies.get(action, [])
        figures = {
            "scheduled": rec.scheduled[action],
            "requests": rec.requests[action],
            "errors": len(rec.errors[action]),
            "measured": len(values),
            "per_s": round(len(values) / measured, 2),
        }
        if values:
            for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0)):
                figures[f"{name}_ms"] = round(quantile(values, q) * 1000, 1)
        figures["error_examples"] = rec.errors[action][:3]
        actions[action] = figures
    lag = sorted(rec.late_starts)
    return {
        "started_utc": started.isoformat(timespec="seconds"),
        "scale": scale,
        "people": world["counts"],
        "seconds": seconds,
        "warmup_s": args.warmup,
        "offered_per_s": {
            AUTOSAVE: round(world["counts"]["editors"] / args.edit_every, 1),
            SCORE: round(len(world["assessors"]) / args.score_every, 2),
            "reads": round(world["counts"]["readers"] / args.read_every, 1),
        },
        "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
        "actions": actions,
        "acknowledged_autosaves": rec.acknowledged,
        "saved_autosaves_in_db": saved,
        "acknowledged_equals_saved": rec.acknowledged == saved
        and not check["forms_with_an_acknowledged_save_missing"],
        "per_form": check,
        "server_settled_after_s": settled_s,
        "client": {
            "max_in_flight": args.max_in_flight,
            "peak_in_flight": pool.peak,
            "connections_opened": pool.opened,
            "resent_on_closed_keepalive": pool.retried,
            "schedule_lag_p99_ms": round(quantile(lag, 0.99) * 1000, 1) if lag else None,
            "schedule_lag_max_ms": round(lag[-1] * 1000, 1) if lag else None,
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "load_average_every_10_s": rec.load,
    }


def show(result: dict) -> None:
    people = result["people"]
    print(
        f"\nscale {result['scale']}: {people['editors']} editors, {people['assessors']} assessors,"
        f" {people['readers']} readers; {result['seconds']:.0f} s"
        f" ({result['warmup_s']:.0f} s warm-up left out of the latencies)"
    )
    print(
        f"{'action':<14}{'due':>7}{'sent':>7}{'errors':>8}{'/s':>7}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    )
    for action, f in result["actions"].items():
        print(
            f"{action:<14}{f['scheduled']:>7}{f['requests']:>7}{f['errors']:>8}{f['per_s']:>7.1f}"
            + "".join(
                f"{f.get(k, float('nan')):>9.0f}" for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
            )
        )
        for example in f["error_examples"]:
            print(f"    e.g. {example}")
    ok = "EQUAL" if result["acknowledged_equals_saved"] else "MISMATCH"
    print(f"per form: {result['per_form']}; server settled in {result['server_settled_after_s']} s")
    print(
        f"autosaves acknowledged {result['acknowledged_autosaves']}, saved in the database"
        f" {result['saved_autosaves_in_db']}: {ok}; client {result['client']};"
        f" load {result['load_average_before']} -> {result['load_average_after']}",
        flush=True,
    )


def passes(result: dict, target_ms: float) -> bool:
    autosave = result["actions"][AUTOSAVE]
    return (
        autosave.get("p99_ms", math.inf) < target_ms
        and not any(f["errors"] for f in result["actions"].values())
        and result["acknowledged_equals_saved"]
    )


def _steps(start: float, step: float, stop: float) -> list[float]:
    return [round(start + k * step, 3) for k in range(int((stop - start) / step + 1e-9) + 1)]


class OutOfTime(Exception):
    pass


def search_step(args: argparse.Namespace, out: dict, path: Path, scale: float) -> dict:
    if args.until:
        now = dt.datetime.now(dt.UTC)
        until = dt.datetime.combine(now.date(), dt.time.fromisoformat(args.until), dt.UTC)
        if now + dt.timedelta(seconds=args.step_seconds + 60) > until:
            raise OutOfTime(f"no time for scale {scale} before {args.until} UTC")
    result = run_once(args, scale, args.step_seconds)
    result["passes"] = passes(result, args.target_ms)
    out["runs"].append(result)
    show(result)
    print(f"  -> {'passes' if result['passes'] else 'FAILS'}", flush=True)
    path.write_text(json.dumps(out, indent=2))
    return result


def search(
    args: argparse.Namespace, out: dict, path: Path, start: float, step: float, stop: float
) -> dict | None:
    """Step the scale up until a step fails; then, with --refine, step up again from the last
    pass in finer steps. The highest scale that passed is the answer."""
    best, failed = None, None
    try:
        for scale in _steps(start, step, stop):
            result = search_step(args, out, path, scale)
            if not result["passes"]:
                failed = failed or scale
                if not args.sweep:
                    break
            elif failed is None:
                best = result
        if args.refine and failed is not None and not args.sweep:
            low = best["scale"] if best else 0.0
            for scale in _steps(low + args.refine, args.refine, failed - args.refine / 2):
                result = search_step(args, out, path, scale)
                if not result["passes"]:
                    break
                best = result
    except OutOfTime as stopped:
        out["stopped"] = str(stopped)
        print(f"\nstopped: {stopped}", flush=True)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="× the base people (150/30/100)")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--warmup", type=float, default=10, help="first seconds not in latencies")
    parser.add_argument("--edit-every", type=float, default=3.0, help="mean s between autosaves")
    parser.add_argument("--score-every", type=float, default=20.0)
    parser.add_argument("--read-every", type=float, default=5.0)
    parser.add_argument(
        "--search",
        metavar="FROM:STEP:TO",
        help="step the scale up from FROM by STEP until autosave p99 reaches --target-ms",
    )
    parser.add_argument(
        "--refine", type=float, default=0, help="after the first failure, step back up by this"
    )
    parser.add_argument(
        "--sweep", action="store_true", help="run every step of --search, even past a failure"
    )
    parser.add_argument("--step-seconds", type=float, default=60)
    parser.add_argument("--until", help="HH:MM UTC: start no search step that would end later")
    parser.add_argument("--prime", type=float, default=20, help="unrecorded load first (s)")
    parser.add_argument("--target-ms", type=float, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument("--max-in-flight", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=30, help="a request slower is an error")
    parser.add_argument("--json", type=Path, help="default: benchmarks/results/open_loop-*.json")
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    if not os.environ.get("REDIS_URL") or not os.environ.get("SECRET_KEY"):
        sys.exit("Set REDIS_URL and SECRET_KEY: the production settings need both.")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    out = {"command": sys.argv, "commit": commit, "cpus": os.cpu_count(), "runs": []}
    path = args.json or RESULTS / f"open_loop-{'search' if args.search else 'run'}-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)

    # One server for the whole run or search, as through a rising peak; between steps the
    # editors' drafts and sessions are made afresh while it is idle.
    with serve(args.port, workers=args.workers, threads=args.threads, preload=True):
        start, step, stop = (
            float(x) for x in (args.search or f"{args.scale}:1:{args.scale}").split(":")
        )
        if args.prime:
            # Fresh workers still open database connections and compile templates: a short
            # load at the first scale, not recorded, so the first step measures a warm server.
            print(f"priming the server: {args.prime:.0f} s at scale {start}…", flush=True)
            run_once(args, start, args.prime)
        if args.search:
            best = search(args, out, path, start, step, stop)
            out["highest_passing"] = (
                {"scale": best["scale"], "offered_per_s": best["offered_per_s"]} if best else None
            )
            print(
                f"\nhighest scale with autosave p99 < {args.target_ms:.0f} ms: {out['highest_passing']}"
            )
        else:
            result = run_once(args, args.scale, args.seconds)
            result["passes"] = passes(result, args.target_ms)
            out["runs"].append(result)
            show(result)
    path.write_text(json.dumps(out, indent=2))
    print(f"figures: {path}")
    # Latency over the target is a finding; a lost save is a failure, and so is an error
    # in a single run (a search's last step may time out: it is past what the server takes).
    lost = any(not run["acknowledged_equals_saved"] for run in out["runs"])
    errors = any(f["errors"] for run in out["runs"] for f in run["actions"].values())
    if lost or (errors and not args.search):
        sys.exit(1)


if __name__ == "__main__":
    main()
