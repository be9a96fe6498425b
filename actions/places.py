"""Turning what a person wrote into a place to search from: pure logic over the gazetteer."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from actions.gazetteer import Gazetteer, Match


@dataclass
class PlaceQuery:
    """The outcome of reading a message for a place."""

    matches: List[Match] = field(default_factory=list)
    unknown: Optional[str] = None  # a place name we could not find

    @property
    def ambiguous(self) -> bool:
        return len({(m.entry.kind, m.entry.id) for m in self.matches}) > 1

    @property
    def found(self) -> Optional[Match]:
        return self.matches[0] if len(self.matches) == 1 else None


def read_place(gazetteer: Gazetteer, text: str, entity_values: Sequence[str],
               prefer_country: Optional[str] = None) -> PlaceQuery:
    """Entity values first (the NLU saw a place), then the whole text (spelling mistakes included).

    A place (city) wins over a country named in the same message, and a country named in the message
    settles an ambiguous place ("Tripoli, Libya")."""
    if prefer_country is None:
        named = {m.entry.country_code for value in [*entity_values, text]
                 for m in gazetteer.best(str(value), kind="country")}
        prefer_country = named.pop() if len(named) == 1 else None
    for value in entity_values:
        matches = gazetteer.best(str(value), prefer_country=prefer_country)
        if matches:
            return PlaceQuery(_prefer_places(matches))
    matches = gazetteer.best(text, prefer_country=prefer_country)
    if matches:
        return PlaceQuery(_prefer_places(matches))
    return PlaceQuery(unknown=str(entity_values[0]) if entity_values else None)


def _prefer_places(matches: List[Match]) -> List[Match]:
    places = [m for m in matches if m.entry.kind == "place"]
    return places or matches
