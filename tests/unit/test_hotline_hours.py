"""Opening hours from data/hotline.yml: open or closed, the next opening, the wait estimate."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from hotline.hours import Schedule

SCHEDULE = Schedule.load(Path(__file__).resolve().parents[2] / "data" / "hotline.yml")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_open_in_local_hours_only() -> None:
    # 2026-11-23 is a Monday; Libya is UTC+2: 08:00-20:00 local = 06:00-18:00 UTC.
    assert SCHEDULE.is_open(utc(2026, 11, 23, 6, 0))
    assert not SCHEDULE.is_open(utc(2026, 11, 23, 5, 59))
    assert not SCHEDULE.is_open(utc(2026, 11, 23, 18, 0))


def test_next_opening_is_the_next_local_morning_with_its_own_hours() -> None:
    opening = SCHEDULE.next_opening(utc(2026, 11, 26, 19, 0))  # Thursday 21:00 local
    assert (opening.weekday(), opening.hour, opening.minute) == (4, 10, 0)  # Friday opens at 10:00
    assert SCHEDULE.weekday_name(opening.weekday(), "fr") == "vendredi"
    assert SCHEDULE.zone_name("ar") == "ليبيا"


def test_wait_estimate_grows_with_the_line_and_has_a_floor() -> None:
    assert SCHEDULE.estimated_minutes(0) == SCHEDULE.minimum_minutes
    assert SCHEDULE.estimated_minutes(3) == 3 * SCHEDULE.minutes_per_person


def test_a_schedule_with_no_hours_never_opens(tmp_path: Path) -> None:
    path = tmp_path / "hotline.yml"
    path.write_text("timezone: UTC\nopening_hours: {}\n")
    closed = Schedule.load(path)
    assert not closed.is_open(utc(2026, 11, 23, 12, 0)) and closed.next_opening(utc(2026, 11, 23, 12, 0)) is None
