"""Parsing and validating reference data files: the registry and competency frameworks.

Pure functions: text in, plain rows out, or an ``ImportProblems`` listing every
problem with its file and line. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

SHA_CODE = re.compile(r"^Q3\d$")
# Most PCT codes are 5xx; a few care trusts plus (e.g. TAC Northumberland) are Txx.
PCT_CODE = re.compile(r"^[5T][A-Z0-9]{2}$")
ONS_CODE = re.compile(r"^E\d{8}$")


class ImportProblems(Exception):
    """Every problem found in a file; nothing from that file may be saved."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SHARow:
    code: str
    ons_code: str
    name: str


@dataclass(frozen=True)
class PCTRow:
    code: str
    name: str
    sha_code: str
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    successor_code: str = ""


def _rows(text: str, filename: str, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportProblems([f"{filename}:1: missing column(s): {', '.join(missing)}"])
    rows = []
    for row in reader:
        line = reader.line_num
        if None in row or any(row.get(c) is None for c in required):
            raise ImportProblems([f"{filename}:{line}: wrong number of columns"])
        rows.append((line, {k: (v or "").strip() for k, v in row.items()}))
    return rows


def _date(value: str, filename: str, line: int, column: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(f"{filename}:{line}: {column} {value!r} is not a date (YYYY-MM-DD)")
        return None


def parse_shas(text: str, filename: str = "shas.csv") -> list[SHARow]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    result = []
    for line, row in _rows(text, filename, ["sha_code", "ons_code", "name"]):
        code = row["sha_code"].upper()
        if not SHA_CODE.match(code):
            problems.append(f"{filename}:{line}: SHA code {code!r} is not an ODS code like Q30")
        if not ONS_CODE.match(row["ons_code"]):
            problems.append(f"{filename}:{line}: ONS code {row['ons_code']!r} is malformed")
        if not row["name"]:
            problems.append(f"{filename}:{line}: name is empty")
        if code in seen:
            problems.append(
                f"{filename}:{line}: duplicate SHA code {code} (first on line {seen[code]})"
            )
        seen.setdefault(code, line)
        result.append(SHARow(code=code, ons_code=row["ons_code"], name=row["name"]))
    if problems:
        raise ImportProblems(problems)
    return result


def parse_pcts(text: str, known_sha_codes: set[str], filename: str = "pcts.csv") -> list[PCTRow]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    result = []
    rows = _rows(text, filename, ["ods_code", "name", "sha_code"])
    for line, row in rows:
        code = row["ods_code"].upper()
        sha_code = row["sha_code"].upper()
        if not PCT_CODE.match(code):
            problems.append(f"{filename}:{line}: ODS code {code!r} is not a PCT ODS code like 5ND")
        if not row["name"]:
            problems.append(f"{filename}:{line}: name is empty")
        if sha_code not in known_sha_codes:
            problems.append(f"{filename}:{line}: unknown SHA code {sha_code!r}")
        if code in seen:
            problems.append(
                f"{filename}:{line}: duplicate ODS code {code} (first on line {seen[code]})"
            )
        seen.setdefault(code, line)
        opened = _date(row.get("opened_on", ""), filename, line, "opened_on", problems)
        closed = _date(row.get("closed_on", ""), filename, line, "closed_on", problems)
        if opened and closed and closed < opened:
            problems.append(f"{filename}:{line}: closed_on is before opened_on")
        result.append(
            PCTRow(
                code=code,
                name=row["name"],
                sha_code=sha_code,
                opened_on=opened,
                closed_on=closed,
                successor_code=row.get("successor_code", "").upper(),
            )
        )
    codes = {r.code for r in result}
    for (line, _), r in zip(rows, result, strict=True):
        if r.successor_code and r.successor_code not in codes:
            problems.append(f"{filename}:{line}: unknown successor code {r.successor_code!r}")
    if problems:
        raise ImportProblems(problems)
    return result


@dataclass(frozen=True)
class CriterionSpec:
    number: str
    text: str


@dataclass(frozen=True)
class CompetencySpec:
    number: int
    short_name: str
    statement: str = ""
    criteria: tuple[CriterionSpec, ...] = ()


@dataclass(frozen=True)
class FrameworkSpec:
    name: str
    year_label: str
    version: int
    description: str
    levels: tuple[tuple[int, str, str], ...]
    competencies: tuple[CompetencySpec, ...]
    sub_indicators: tuple[tuple[str, str, str], ...] = field(default=())


YEAR_LABEL = re.compile(r"^\d{4}/\d{2}$")
AREAS = {"strategy", "finance", "board"}


def parse_framework(text: str, filename: str = "framework.yaml") -> FrameworkSpec:
    """Validate a framework file: numbers unique, four levels present, criteria well formed."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark else filename
        raise ImportProblems([f"{where}: not valid YAML ({exc.__class__.__name__})"]) from exc
    if not isinstance(data, dict):
        raise ImportProblems([f"{filename}: expected a mapping at the top level"])
    problems: list[str] = []
    for key in ("name", "year_label", "levels", "competencies"):
        if key not in data:
            problems.append(f"{filename}: missing {key!r}")
    if problems:
        raise ImportProblems(problems)
    year_label = str(data["year_label"])
    if not YEAR_LABEL.match(year_label):
        problems.append(f"{filename}: year_label {year_label!r} should look like 2009/10")
    levels = []
    for item in data["levels"] or []:
        try:
            levels.append((int(item["level"]), str(item["name"]), str(item.get("description", ""))))
        except (KeyError, TypeError, ValueError):
            problems.append(f"{filename}: level entry {item!r} needs a level number and a name")
    if sorted(level for level, _, _ in levels) != [1, 2, 3, 4]:
        problems.append(f"{filename}: levels must be exactly 1, 2, 3 and 4")
    competencies = []
    seen_numbers: set[int] = set()
    for item in data["competencies"] or []:
        try:
            number = int(item["number"])
            short_name = str(item["short_name"]).strip()
        except (KeyError, TypeError, ValueError):
            problems.append(
                f"{filename}: competency entry {item!r} needs a number and a short_name"
            )
            continue
        if number in seen_numbers:
            problems.append(f"{filename}: competency number {number} appears twice")
        seen_numbers.add(number)
        criteria = []
        seen_criteria: set[str] = set()
        for crit in item.get("criteria") or []:
            try:
                crit_number, crit_text = str(crit["number"]), str(crit["text"]).strip()
            except (KeyError, TypeError):
                problems.append(f"{filename}: competency {number}: criterion needs number and text")
                continue
            if not crit_number.startswith(f"{number}."):
                problems.append(
                    f"{filename}: criterion {crit_number} does not belong to competency {number}"
                )
            if crit_number in seen_criteria:
                problems.append(f"{filename}: criterion {crit_number} appears twice")
            seen_criteria.add(crit_number)
            criteria.append(CriterionSpec(crit_number, crit_text))
        competencies.append(
            CompetencySpec(
                number, short_name, str(item.get("statement", "")).strip(), tuple(criteria)
            )
        )
    if not competencies:
        problems.append(f"{filename}: no competencies")
    sub_indicators = []
    for item in data.get("governance_sub_indicators") or []:
        area = str(item.get("area", ""))
        if area not in AREAS:
            problems.append(
                f"{filename}: sub-indicator area {area!r} is not strategy/finance/board"
            )
        sub_indicators.append((area, str(item.get("number", "")), str(item.get("text", ""))))
    if problems:
        raise ImportProblems(problems)
    return FrameworkSpec(
        name=str(data["name"]),
        year_label=year_label,
        version=int(data.get("version", 1)),
        description=str(data.get("description", "")),
        levels=tuple(sorted(levels)),
        competencies=tuple(sorted(competencies, key=lambda c: c.number)),
        sub_indicators=tuple(sub_indicators),
    )
