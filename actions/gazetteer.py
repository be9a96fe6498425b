"""Resolve what people type ("Tripoli", "tripolli", "طرابلس", "I am in benghazi") to countries and places,
in any script, tolerant of spelling mistakes (rapidfuzz). Pure logic: the entries come from the database."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from rapidfuzz import fuzz, process

from bot.normalise import normalise

#: Below this similarity (0-100) a typed word is not taken for a place name.
FUZZY_THRESHOLD = 84
MIN_FUZZY_LENGTH = 4


@dataclass(frozen=True)
class Entry:
    kind: str  # "country" | "place"
    id: str  # ISO code or place id
    country_code: str
    names: Tuple[str, ...]


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    matched: str


class Gazetteer:
    def __init__(self, entries: Iterable[Entry]):
        self.entries = list(entries)
        self.by_id: Dict[str, Entry] = {}
        self._names: Dict[str, List[Entry]] = {}
        for entry in self.entries:
            self.by_id.setdefault(entry.id, entry)
            for name in entry.names:
                key = normalise(name)
                if key:
                    self._names.setdefault(key, [])
                    if entry not in self._names[key]:
                        self._names[key].append(entry)
        self._keys = list(self._names)

    def lookup(self, text: str, kind: Optional[str] = None) -> List[Match]:
        """All entries named in `text`, best first; exact names win over fuzzy ones, longer over shorter."""
        if not text:
            return []
        text = text.strip()
        if text in self.by_id and (kind is None or self.by_id[text].kind == kind):
            entry = self.by_id[text]
            return [Match(entry, 100.0, text)]
        words = normalise(text).split()
        grams = [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(i + 4, len(words)) + 1)]
        found: Dict[Tuple[str, str], Match] = {}

        def keep(entry: Entry, score: float, matched: str) -> None:
            if kind and entry.kind != kind:
                return
            key = (entry.kind, entry.id)
            if key not in found or (score, len(matched)) > (found[key].score, len(found[key].matched)):
                found[key] = Match(entry, score, matched)

        for gram in grams:
            for entry in self._names.get(gram, []):
                keep(entry, 100.0, gram)
        if not found:
            for gram in grams:
                if len(gram) < MIN_FUZZY_LENGTH:
                    continue
                for key, score, _ in process.extract(gram, self._keys, scorer=fuzz.ratio,
                                                     score_cutoff=FUZZY_THRESHOLD, limit=3):
                    for entry in self._names[key]:
                        keep(entry, score, gram)
        return sorted(found.values(), key=lambda m: (-m.score, -len(m.matched), m.entry.kind != "place"))

    def best(self, text: str, kind: Optional[str] = None, prefer_country: Optional[str] = None) -> List[Match]:
        """The top-scoring matches (several when a name is ambiguous, like Tripoli), narrowed to
        `prefer_country` when that settles it."""
        matches = self.lookup(text, kind)
        if not matches:
            return []
        top = [m for m in matches if m.score == matches[0].score and m.matched == matches[0].matched]
        if prefer_country:
            narrowed = [m for m in top if m.entry.country_code == prefer_country]
            if narrowed:
                return narrowed
        return top


def countries_of(matches: Sequence[Match]) -> List[str]:
    return sorted({m.entry.country_code for m in matches})
