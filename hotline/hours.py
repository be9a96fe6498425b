"""When the hotline is staffed (data/hotline.yml, which editors change): open now or not, when it opens
next, and roughly how long a person waits."""
from __future__ import annotations

import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    zone_names: Dict[str, str]  # per language: "Libya"
    weekday_names: Dict[str, List[str]]
    opening: Dict[int, List[Tuple[time, time]]]  # weekday (0 = Monday) -> [(opens, closes)]
    minutes_per_person: int
    minimum_minutes: int
    console_slots: Tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Optional[Path] = None) -> "Schedule":
        data = yaml.safe_load((path or config_path()).read_text(encoding="utf-8"))
        opening: Dict[int, List[Tuple[time, time]]] = {}
        for index, day in enumerate(WEEKDAYS):
            spans = data["opening_hours"].get(day) or []
            opening[index] = [(_clock(span.split("-")[0]), _clock(span.split("-")[1])) for span in spans]
        wait = data.get("wait") or {}
        return cls(ZoneInfo(data["timezone"]), data.get("zone_names") or {}, data.get("weekday_names") or {},
                   opening, int(wait.get("minutes_per_person", 10)), int(wait.get("minimum_minutes", 5)),
                   tuple(data.get("console_slots") or ("language",)))

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
