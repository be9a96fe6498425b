"""When the hotline is staffed (data/hotline.yml, which editors change): open now or not, when it opens
next, and roughly how long a person waits. A person is told times in the time of the country where they
are, and a country may have its own hours (`countries` in the file)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parents[1]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def config_path() -> Path:
    return Path(os.environ.get("HAVEN_HOTLINE_CONFIG") or ROOT / "data" / "hotline.yml")


def _clock(value: str) -> time:
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


Hours = Dict[int, List[Tuple[time, time]]]  # weekday (0 = Monday) -> [(opens, closes)]


def _hours(days: Dict[str, List[str]]) -> Hours:
    opening: Hours = {}
    for index, day in enumerate(WEEKDAYS):
        spans = days.get(day) or []
        opening[index] = [(_clock(span.split("-")[0]), _clock(span.split("-")[1])) for span in spans]
    return opening


@dataclass(frozen=True)
class CountryHours:
    """Where a person is: their time zone, and the hotline's hours for them when the operator set some (in
    that zone's local time)."""

    zone: ZoneInfo
    opening: Optional[Hours] = None


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    zone_names: Dict[str, str]  # per language: "Libya"
    weekday_names: Dict[str, List[str]]
    opening: Hours
    minutes_per_person: int
    minimum_minutes: int
    console_slots: Tuple[str, ...] = ()
    countries: Dict[str, CountryHours] = field(default_factory=dict)
    #: The zone times are told in (the person's), when it is not the zone the hours are set in.
    shown_zone: Optional[ZoneInfo] = None

    @classmethod
    def load(cls, path: Optional[Path] = None) -> "Schedule":
        data = yaml.safe_load((path or config_path()).read_text(encoding="utf-8"))
        wait = data.get("wait") or {}
        countries = {str(code): CountryHours(ZoneInfo(entry["timezone"]),
                                             _hours(entry["opening_hours"]) if entry.get("opening_hours") else None)
                     for code, entry in (data.get("countries") or {}).items()}
        return cls(ZoneInfo(data["timezone"]), data.get("zone_names") or {}, data.get("weekday_names") or {},
                   _hours(data["opening_hours"]), int(wait.get("minutes_per_person", 10)),
                   int(wait.get("minimum_minutes", 5)), tuple(data.get("console_slots") or ("language",)), countries)

    def for_country(self, country: Optional[str]) -> "Schedule":
        """The schedule as a person in `country` sees it: times in their zone, their country's own hours
        where the operator set them. Unchanged for an unknown country."""
        local = self.countries.get(country or "")
        if local is None:
            return self
        if local.opening is not None:
            return replace(self, zone=local.zone, opening=local.opening, shown_zone=None)
        return replace(self, shown_zone=local.zone)

    def shown(self, moment: datetime) -> datetime:
        """A moment in the time of the person the schedule is for."""
        return moment.astimezone(self.shown_zone) if self.shown_zone is not None else moment

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.zone)

    def is_open(self, now: datetime) -> bool:
        local = self.local(now)
        return any(opens <= local.time() < closes or (closes == time(0, 0) and local.time() >= opens)
                   for opens, closes in self.opening[local.weekday()])

    def next_opening(self, now: datetime) -> Optional[datetime]:
        """The next time the hotline opens (local time), or None if it never does."""
        local = self.local(now)
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            for opens, _ in sorted(self.opening[day.weekday()]):
                start = datetime.combine(day, opens, tzinfo=self.zone)
                if start > local:
                    return start
        return None

    def estimated_minutes(self, position: int) -> int:
        return max(self.minimum_minutes, position * self.minutes_per_person)

    def zone_name(self, language: str) -> str:
        return self.zone_names.get(language) or self.zone_names.get("en") or str(self.zone)

    def weekday_name(self, weekday: int, language: str) -> str:
        names = self.weekday_names.get(language) or self.weekday_names.get("en") or list(WEEKDAYS)
        return names[weekday]
