"""Which language a message is in: script rules first, then langdetect (seeded, so deterministic),
restricted to the languages Haven supports plus "other"; "und" when there is nothing to decide on."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Dict, Tuple

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0

SUPPORTED = ("en", "fr", "ar")
OTHER = "other"
UNDETERMINED = "und"
#: Letters used by Persian, Urdu, Pashto... but not by Arabic: such text is "other", not "ar".
_NON_ARABIC_LETTERS = set("پچژگکیۓےٹڈڑںھ")
#: Scripts that settle the language on their own (Bengali, Ethiopic, Devanagari...): none supported yet.
_OTHER_SCRIPTS = ("BENGALI", "ETHIOPIC", "DEVANAGARI", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI",
                  "CYRILLIC", "GREEK", "HEBREW", "TAMIL", "SINHALA", "GEORGIAN", "ARMENIAN", "GURMUKHI")


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float

    def as_dict(self) -> Dict[str, object]:
        return {"name": self.language, "confidence": round(self.confidence, 4)}


def _script_counts(text: str) -> Tuple[int, int, Dict[str, int]]:
    arabic = latin = 0
    others: Dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("ARABIC"):
            arabic += 1
        elif name.startswith("LATIN"):
            latin += 1
        else:
            script = next((s for s in _OTHER_SCRIPTS if name.startswith(s)), "OTHER")
            others[script] = others.get(script, 0) + 1
    return arabic, latin, others


def detect_language(text: str) -> Detection:
    arabic, latin, others = _script_counts(text or "")
    letters = arabic + latin + sum(others.values())
    if letters == 0:
        return Detection(UNDETERMINED, 0.0)
    if arabic / letters > 0.5:
        if any(ch in _NON_ARABIC_LETTERS for ch in text):
            return Detection(OTHER, 0.9)
        return Detection("ar", 0.99)
    if sum(others.values()) / letters > 0.5:
        return Detection(OTHER, 0.99)
    try:
        candidates = detect_langs(text)
    except LangDetectException:
        return Detection(UNDETERMINED, 0.0)
    best = candidates[0]
    language = best.lang if best.lang in SUPPORTED else OTHER
    # Few letters carry little evidence: langdetect is over-confident on one or two words.
    evidence = min(1.0, letters / 20)
    return Detection(language, best.prob * evidence)
