"""Distances between people and centres (great-circle, via the haversine library)."""
from __future__ import annotations

from typing import Callable, List, Sequence, Tuple, TypeVar

from haversine import Unit, haversine

T = TypeVar("T")


def distance_km(a: Tuple[float, float], b: Tuple[float, float]) -> float:
    return haversine(a, b, unit=Unit.KILOMETERS)


def nearest(origin: Tuple[float, float], items: Sequence[T], position: Callable[[T], Tuple[float, float]],
            limit: int = 3) -> List[Tuple[T, float]]:
    """The `limit` items closest to `origin`, with their distance in km; ties keep the input order."""
    ranked = sorted(((item, distance_km(origin, position(item))) for item in items), key=lambda p: p[1])
    return ranked[:limit]


def valid_coordinates(latitude: object, longitude: object) -> bool:
    """Entity values come from the user's payload: any JSON value. Numbers and numeric strings in range
    are coordinates; true/false, NaN and integers too large for a float are not (and must not crash)."""
    if isinstance(latitude, bool) or isinstance(longitude, bool):
        return False
    try:
        lat, lon = float(latitude), float(longitude)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180
