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


def test_a_person_is_told_the_opening_in_their_own_countrys_time() -> None:
    # Thursday 2026-11-26 19:00 UTC: the hotline opens Friday 10:00 in Libya (08:00 UTC). Jordan is UTC+3.
    jordan = SCHEDULE.for_country("JO")
    opening = jordan.next_opening(utc(2026, 11, 26, 19, 0))
    shown = jordan.shown(opening)
    assert (shown.hour, shown.utcoffset().total_seconds()) == (11, 3 * 3600)
    assert jordan.is_open(utc(2026, 11, 27, 8, 0)) and not jordan.is_open(utc(2026, 11, 27, 7, 59))
    assert SCHEDULE.for_country(None) is SCHEDULE and SCHEDULE.for_country("ZZ") is SCHEDULE


def test_the_operator_can_set_hours_for_one_country(tmp_path: Path) -> None:
    path = tmp_path / "hotline.yml"
    path.write_text("timezone: Africa/Tripoli\nopening_hours: {monday: ['08:00-20:00']}\n"
                    "countries:\n  LB: {timezone: Asia/Beirut, opening_hours: {monday: ['09:00-12:00']}}\n"
                    "  EG: {timezone: Africa/Cairo}\n")
    schedule = Schedule.load(path)
    lebanon = schedule.for_country("LB")
    assert lebanon.is_open(utc(2026, 11, 23, 7, 0))  # 09:00 in Beirut (UTC+2)
    assert not lebanon.is_open(utc(2026, 11, 23, 10, 0))  # 12:00 in Beirut: the Lebanon desk has closed
    assert schedule.is_open(utc(2026, 11, 23, 10, 0))  # the hotline's own hours still run
    assert lebanon.shown(lebanon.next_opening(utc(2026, 11, 23, 11, 0))).hour == 9
