"""iCalendar (RFC 5545), written by hand: pure, no Django, no clock.

Used for a panel day's entry (``panels:day_ics``) and each person's calendar feed
(``calendar_feed``). Written here rather than with a library because the subset we need is
small — VCALENDAR, VEVENT, timed (UTC) and all-day events, TEXT escaping and line folding —
and every rule of it is tested in ``tests/assurance/rules/test_calendar.py``, which also
parses the output with the ``icalendar`` package as an independent reader
(docs/decisions.md, "Calendar feed").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CalendarEvent:
    """A VEVENT. ``starts``/``ends`` are UTC datetimes for a timed event, or dates for an
    all-day one (``ends`` is then the day after the last day, as RFC 5545 §3.6.1 says)."""

    uid: str
    stamp: dt.datetime  # UTC
    starts: dt.datetime | dt.date
    ends: dt.datetime | dt.date
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""


def all_day(
    uid: str, stamp: dt.datetime, day: dt.date, summary: str, description: str = "", url: str = ""
) -> CalendarEvent:
    """A one-day, all-day event (a deadline, a due date, a review date)."""
    return CalendarEvent(
        uid=uid,
        stamp=stamp,
        starts=day,
        ends=day + dt.timedelta(days=1),
        summary=summary,
        description=description,
        url=url,
    )


def ics_escape(text: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): escape backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def ics_fold(line: str) -> str:
    """Fold content lines longer than 75 octets (§3.1), never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = " "
            limit = 75  # the leading space counts towards the 75 octets
        current += char
    out.append(current)
    return "\r\n".join(out)


def _utc(value: dt.datetime) -> str:
    if value.tzinfo is None or value.utcoffset() != dt.timedelta(0):
        raise ValueError("calendar times must be in UTC")
    return value.strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return f"{name}:{_utc(value)}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def _no_controls(text: str) -> str:
    """Control characters other than the newlines ics_escape handles are not allowed in
    TEXT (§3.3.11); a title typed with one must not break the whole feed."""
    return "".join(c for c in text if c in "\r\n" or (ord(c) >= 0x20 and ord(c) != 0x7F))


def _text(name: str, value: str) -> str:
    return f"{name}:{ics_escape(_no_controls(value))}"


def ics_calendar(events: Sequence[CalendarEvent], *, prodid: str, name: str = "") -> str:
    """A VCALENDAR with one VEVENT per event, CRLF line endings, folded and escaped."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if name:
        lines.append(_text("X-WR-CALNAME", name))
    for event in events:
        if isinstance(event.starts, dt.datetime) != isinstance(event.ends, dt.datetime):
            raise ValueError("an event starts and ends with the same kind of value")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(event.stamp)}",
            _when("DTSTART", event.starts),
            _when("DTEND", event.ends),
            _text("SUMMARY", event.summary),
        ]
        if event.location:
            lines.append(_text("LOCATION", event.location))
        if event.description:
            lines.append(_text("DESCRIPTION", event.description))
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)
