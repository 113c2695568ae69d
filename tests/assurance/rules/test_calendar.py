"""The hand-written iCalendar writer (RFC 5545), checked by rule and by an independent
reader (the ``icalendar`` package)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from assurance.rules.calendar import CalendarEvent, all_day, ics_calendar, ics_escape, ics_fold

UTC = dt.UTC
STAMP = dt.datetime(2010, 4, 1, 9, 0, tzinfo=UTC)


def test_ics_text_is_escaped():
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_ics_lines_fold_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "é" * 100
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def unfold_and_parse(text: str) -> list[tuple[str, str]]:
    """A minimal RFC 5545 reader: unfold, then split NAME:VALUE."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    return [tuple(line.split(":", 1)) for line in unfolded.split("\r\n") if line]


def panel_event(**kw) -> CalendarEvent:
    values = {
        "uid": "panel-day-1@wcc",
        "stamp": STAMP,
        "starts": dt.datetime(2010, 4, 20, 9, 0, tzinfo=UTC),
        "ends": dt.datetime(2010, 4, 20, 16, 0, tzinfo=UTC),
        "summary": "London panel day: Camden, Islington",
        "location": "Skipton House, 80 London Road; SE1",
        "description": "Slots:\n10:00 Camden\n" + "x" * 120,
    }
    return CalendarEvent(**{**values, **kw})


def test_the_calendar_parses_with_crlf_and_utc_times():
    text = ics_calendar([panel_event()], prodid="-//WCC Assurance//Panel days//EN")
    lines = unfold_and_parse(text)
    assert lines[0] == ("BEGIN", "VCALENDAR")
    assert lines[-1] == ("END", "VCALENDAR")
    props = dict(lines)
    assert props["DTSTART"] == "20100420T090000Z"
    assert props["SUMMARY"] == "London panel day: Camden\\, Islington"
    assert props["LOCATION"] == "Skipton House\\, 80 London Road\\; SE1"
    assert props["DESCRIPTION"].startswith("Slots:\\n10:00 Camden\\nxxx")
    assert ("BEGIN", "VEVENT") in lines and ("END", "VEVENT") in lines


def test_calendar_times_must_be_utc():
    naive = dt.datetime(2010, 1, 1)
    with pytest.raises(ValueError):
        ics_calendar([CalendarEvent("u", naive, naive, naive, "s")], prodid="p")


def test_an_event_cannot_mix_a_date_and_a_time():
    with pytest.raises(ValueError):
        ics_calendar([panel_event(ends=dt.date(2010, 4, 21))], prodid="p")


def test_an_all_day_event_ends_the_next_day():
    event = all_day("d@wcc", STAMP, dt.date(2009, 12, 18), "Self-assessment closes")
    props = dict(unfold_and_parse(ics_calendar([event], prodid="p")))
    assert props["DTSTART;VALUE=DATE"] == "20091218"
    assert props["DTEND;VALUE=DATE"] == "20091219"


def test_control_characters_typed_into_a_title_do_not_break_the_feed():
    event = all_day("d@wcc", STAMP, dt.date(2009, 12, 18), "Action\x00 \x1b[31mdue\x7f")
    text = ics_calendar([event], prodid="p")
    assert "\x00" not in text and "\x1b" not in text and "\x7f" not in text
    assert icalendar.Calendar.from_ical(text).walk("VEVENT")[0]["SUMMARY"] == "Action [31mdue"


def test_an_independent_reader_reads_back_what_was_written():
    events = [
        panel_event(url="https://wcc.example/panels/days/1/"),
        all_day(
            "phase-3-closes@wcc",
            STAMP,
            dt.date(2010, 5, 21),
            "WCC 2009/10: panel days close; ünïcödé, too",
            description="Line one\nLine two; with, punctuation \\ and a backslash",
        ),
    ]
    text = ics_calendar(events, prodid="-//WCC Assurance//Personal calendar//EN", name="Ann")
    parsed = icalendar.Calendar.from_ical(text)
    assert parsed["VERSION"] == "2.0"
    assert parsed["X-WR-CALNAME"] == "Ann"
    timed, day = parsed.walk("VEVENT")
    assert timed["UID"] == "panel-day-1@wcc"
    assert timed.decoded("DTSTART") == dt.datetime(2010, 4, 20, 9, 0, tzinfo=UTC)
    assert timed.decoded("DTSTAMP") == STAMP
    assert str(timed["URL"]) == "https://wcc.example/panels/days/1/"
    assert str(timed["LOCATION"]) == "Skipton House, 80 London Road; SE1"
    assert day.decoded("DTSTART") == dt.date(2010, 5, 21)
    assert day.decoded("DTEND") == dt.date(2010, 5, 22)
    assert str(day["SUMMARY"]) == "WCC 2009/10: panel days close; ünïcödé, too"
    assert str(day["DESCRIPTION"]) == "Line one\nLine two; with, punctuation \\ and a backslash"
    # Every physical line is at most 75 octets and ends with CRLF (RFC 5545 §3.1).
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
