"""Spelling normalisation shared by the NLU tokenizer and the gazetteer: what people type on a phone
varies (Arabic with or without diacritics, أ/ا/إ, ة/ه, ى/ي, elongated letters; French without accents),
the meaning does not."""
from __future__ import annotations

import re
import unicodedata

# Harakat, Quranic marks and tatweel (the elongation stroke): spelling, not meaning.
ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
_ARABIC_REPEATS = re.compile(r"([\u0621-\u064A])\1+")
_LATIN_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold_letters(text: str) -> str:
    """Spelling variants of the same letter made one: no Latin accents, Arabic diacritics and letter variants
    folded. Case and everything else kept (safe on a regular expression: bot.safety folds its patterns)."""
    text = ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or "\u0600" <= ch <= "\u06ff")


def normalise_word(text: str) -> str:
    """One token: lower case, no Latin accents, Arabic diacritics and letter variants folded, letters
    repeated for emphasis ("helppp", "مساعدةةة") shortened."""
    text = _ARABIC_REPEATS.sub(r"\1", fold_letters(text))
    return _LATIN_REPEATS.sub(r"\1\1", text.lower())


def normalise(text: str) -> str:
    """A whole phrase: its words normalised, joined by single spaces, punctuation dropped."""
    return " ".join(_WORD.findall(normalise_word(text)))
