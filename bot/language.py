"""Which language a message is in.

Decided by script where the script settles it (Arabic, Bengali, Ethiopic, Devanagari...), then for Latin
script by the words Haven knows of each supported language (taken from its training data, so short chat
replies such as "merci bcp" or "yes plz" are recognised; a language also typed in Latin letters, like Arabic
as Arabizi, "3ayez arga3", takes part with its Latin words and the digits that stand for its letters), then
by langdetect (seeded, deterministic). The
answer is one of the supported languages (data/languages.yml), "other", or "und" when there is nothing to
decide on (digits, emoji). The confidence says how much evidence there was: one or two words never reach
the level at which a conversation switches language."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

import yaml
from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0

ROOT = Path(__file__).resolve().parents[1]
OTHER = "other"
UNDETERMINED = "und"
#: Letters used by Persian, Urdu, Pashto... but not by Arabic: such text is "other", not Arabic.
_NON_ARABIC_LETTERS = set("پچژگکیۓےٹڈڑںھ")
_OTHER_SCRIPTS = ("BENGALI", "ETHIOPIC", "DEVANAGARI", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI",
                  "CYRILLIC", "GREEK", "HEBREW", "TAMIL", "SINHALA", "GEORGIAN", "ARMENIAN", "GURMUKHI")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ALNUM_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PLACE_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\((?:city|country)\)|\{\"entity\": \"(?:city|country)\"[^}]*\})")
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
#: A word of Latin letters with a digit for a letter (Arabizi: 3ayez, ma3andeesh, 7ada, la2, e7ki), not an
#: ordinal, a time or a measure (3eme, 2nd, 5pm, 7km).
_DIGIT_LETTER_WORD = re.compile(r"(?<![\w])(?=[a-z0-9]*[a-z])(?=[a-z]*[235789])[a-z235789]+(?![\w])", re.IGNORECASE)
_NOT_DIGIT_LETTERS = re.compile(r"^\d+(st|nd|rd|th|e|er|eme|ieme|em|am|pm|h|mn|min|km|kg|g|k|m|l)$", re.IGNORECASE)
#: A romanised language (Arabizi) is taken on this share of its words when digits stand for letters (nothing
#: else writes "3ayez" or "7ada"), else on this share of its own Latin-letter words, whatever langdetect says.
ROMANISED_DIGIT_SHARE = 0.25
ROMANISED_WORD_SHARE = 0.6
ROMANISED_DIGIT_BONUS = 0.4
#: Below this many words a message is "short": it can confirm a language but not switch to one.
SHORT_WORDS = 3
#: A message this much made of one language's own words is that language, whatever langdetect says.
OWN_WORDS_SHARE = 0.6
SHORT_MESSAGE_CAP = 0.6


@dataclass(frozen=True)
class Language:
    code: str
    label: str
    names: Tuple[str, ...]
    direction: str
    spacy: str
    script: str
    chat_words: Tuple[str, ...] = ()
    #: Also typed in Latin letters (Arabizi): it takes part in the Latin-script decision.
    romanised: bool = False


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float

    def as_dict(self) -> Dict[str, object]:
        return {"name": self.language, "confidence": round(self.confidence, 4)}


@dataclass
class LanguageSettings:
    default: str
    languages: Dict[str, Language]

    @property
    def codes(self) -> List[str]:
        return list(self.languages)

    def by_script(self, script: str) -> Optional[str]:
        return next((c for c, lang in self.languages.items() if lang.script == script), None)

    def named(self, text: str) -> Optional[str]:
        """The language a message asks for by name ("français", "عربي"), if it is only that."""
        wanted = " ".join(_WORD.findall(text.lower()))
        for code, language in self.languages.items():
            if wanted in language.names:
                return code
        return None


def load_settings(path: Path = ROOT / "data" / "languages.yml") -> LanguageSettings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for code, spec in raw["languages"].items():
        for word in [*spec.get("names", []), *spec.get("chat_words", [])]:
            if not isinstance(word, str):  # YAML reads yes / no / on / off as true / false
                raise ValueError(f"{path.name}: {code}: {word!r} is not a word; put it in quotes (\"yes\", \"no\")")
    languages = {
        code: Language(code, spec["label"], tuple(n.lower() for n in spec.get("names", [])), spec["direction"],
                       spec["spacy"], spec["script"], tuple(str(w).lower() for w in spec.get("chat_words", [])),
                       bool(spec.get("romanised", False)))
        for code, spec in raw["languages"].items()
    }
    return LanguageSettings(raw.get("default", "en"), languages)


def words(text: str) -> List[str]:
    return _WORD.findall(text.lower())


def latin_tokens(text: str) -> List[str]:
    """The words of a message, a word with a digit for a letter (Arabizi "ma3andeesh") kept whole; numbers
    alone ("3 jours") are not words."""
    return [t for t in _ALNUM_WORD.findall(text.lower()) if not t.isdigit()]


def digit_letter_words(text: str) -> List[str]:
    """The words of `text` written with a digit for a letter, as Arabizi is (3ayez, 7ada, la2)."""
    return [w for w in _DIGIT_LETTER_WORD.findall(text) if not _NOT_DIGIT_LETTERS.match(w)]


def build_lexicons(settings: LanguageSettings, nlu_dir: Path) -> Dict[str, FrozenSet[str]]:
    """Each language's chat words, plus the words of its training examples that no other language uses."""
    from_data = lexicons_from_training_data(nlu_dir, settings.codes)
    chat = {code: set(lang.chat_words) for code, lang in settings.languages.items()}
    lexicons = {}
    for code in settings.codes:
        others = set().union(*(words for c, words in chat.items() if c != code))
        lexicons[code] = frozenset((from_data.get(code, frozenset()) - others) | chat[code])
    return lexicons


@lru_cache(maxsize=16)
def example_lines(nlu_dir: Path, code: str) -> Tuple[str, ...]:
    """The training examples of one language (data/nlu/<code>/), annotations kept, read once per process:
    the word lists and the place names both come from them."""
    lines: List[str] = []
    for path in sorted((nlu_dir / code).glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            lines += [line.strip().lstrip("- ") for line in str(block.get("examples", "")).splitlines()]
    return tuple(lines)


def lexicons_from_training_data(nlu_dir: Path, codes: Iterable[str]) -> Dict[str, FrozenSet[str]]:
    """Words that occur in one language's examples (data/nlu/<code>/) and in no other language's."""
    vocabulary: Dict[str, set] = {}
    for code in codes:
        found: set = set()
        for line in example_lines(nlu_dir, code):
            found.update(words(_ANNOTATION.sub(r"\1", line)))
        vocabulary[code] = found
    return {code: frozenset(found - set().union(*(v for c, v in vocabulary.items() if c != code)))
            for code, found in vocabulary.items()}


def place_names_in_training_data(nlu_dir: Path, codes: Iterable[str]) -> FrozenSet[str]:
    """The words of the places and countries annotated in the examples ("tunis", "niger", "benghazi"): they
    belong to no language, so they neither count for one nor against it."""
    found: set = set()
    for code in codes:
        for line in example_lines(nlu_dir, code):
            for match in _PLACE_ANNOTATION.finditer(line):
                found.update(w for w in words(match.group(1)) if len(w) >= 3)
    return frozenset(found)


@dataclass
class LanguageIdentifier:
    settings: LanguageSettings
    lexicons: Mapping[str, FrozenSet[str]] = field(default_factory=dict)
    place_names: FrozenSet[str] = frozenset()

    def detect(self, text: str) -> Detection:
        script, letters = _dominant_script(text or "")
        if letters == 0:
            return Detection(UNDETERMINED, 0.0)
        if script == "ARABIC" and any(ch in _NON_ARABIC_LETTERS for ch in text):
            return Detection(OTHER, 0.9)
        if script != "LATIN":
            return Detection(self.settings.by_script(script) or OTHER, 0.99)
        return self._latin(text, letters)

    def _latin(self, text: str, letters: int) -> Detection:
        tokens = [t for t in latin_tokens(text) if t not in self.place_names] or latin_tokens(text)
        latin = [c for c, lang in self.settings.languages.items() if lang.script == "latin" or lang.romanised]
        digit_words = set(digit_letter_words(text.lower()))

        def known(token: str, code: str) -> bool:
            return token in self.lexicons.get(code, ()) or \
                (self.settings.languages[code].romanised and token in digit_words)

        hits = {c: sum(known(t, c) for t in tokens) for c in latin}
        best = max(latin, key=lambda c: hits[c], default=None)
        share = hits[best] / len(tokens) if best and tokens else 0.0
        short = len(tokens) < SHORT_WORDS
        runner_up = max((h for c, h in hits.items() if c != best), default=0)
        if best and share >= 1.0 and hits[best] > runner_up:
            # Every word is in one language's list: the answer below would not depend on langdetect (it is never
            # "confidently other" then, and the confidence is 1.0), so its ~5 ms are not spent.
            return Detection(best, min(1.0, SHORT_MESSAGE_CAP) if short else 1.0)
        guess = self._langdetect(text)
        romanised = bool(best and self.settings.languages[best].romanised and hits[best] > runner_up)
        if romanised and (digit_words and share >= ROMANISED_DIGIT_SHARE or share >= ROMANISED_WORD_SHARE):
            # langdetect knows no Arabizi (it says Somali, Indonesian...): digits written for letters, or most
            # words being the language's own Latin-letter words, outweigh it.
            confidence = min(1.0, share + ROMANISED_DIGIT_BONUS) if digit_words else share
            return Detection(best, min(confidence, SHORT_MESSAGE_CAP) if short else confidence)
        # langdetect's "surely another language" overrules a few known words, not a message mostly made of them
        # ("jveu rentré o burkina": SMS French it has never seen).
        confidently_other = guess.language == OTHER and guess.confidence >= 0.9 and share < OWN_WORDS_SHARE
        if best and share >= 0.5 and hits[best] > runner_up and not confidently_other:
            confidence = max(share, guess.confidence if guess.language == best else 0.0)
            return Detection(best, min(confidence, SHORT_MESSAGE_CAP) if short else confidence)
        evidence = min(1.0, letters / 20)  # langdetect is over-confident on a word or two
        confidence = guess.confidence * evidence
        return Detection(guess.language, min(confidence, SHORT_MESSAGE_CAP) if short else confidence)

    def _langdetect(self, text: str) -> Detection:
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return Detection(UNDETERMINED, 0.0)
        return Detection(best.lang if best.lang in self.settings.languages else OTHER, best.prob)


def _dominant_script(text: str) -> Tuple[str, int]:
    counts: Dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("ARABIC"):
            script = "ARABIC"
        elif name.startswith("LATIN"):
            script = "LATIN"
        else:
            script = next((s for s in _OTHER_SCRIPTS if name.startswith(s)), "OTHER")
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "", 0
    script = max(counts, key=counts.get)
    return script, sum(counts.values())


@lru_cache(maxsize=1)
def default_identifier() -> LanguageIdentifier:
    settings = load_settings()
    nlu = ROOT / "data" / "nlu"
    chat_words = {w for language in settings.languages.values() for w in language.chat_words}
    return LanguageIdentifier(settings, build_lexicons(settings, nlu),
                              place_names_in_training_data(nlu, settings.codes) - chat_words)


def detect_language(text: str) -> Detection:
    return default_identifier().detect(text)


#: Below this many texts a second process costs more than it saves.
PARALLEL_FROM = 1000


def _detect_chunk(texts: List[str]) -> List[Detection]:
    return [detect_language(text) for text in texts]


def detect_languages(texts: List[str]) -> List[Detection]:
    """detect_language of each text; many texts (the training data: a minute of langdetect on one core) are
    shared among the machine's cores. langdetect is seeded, so every process gives the same answers."""
    import os

    workers = min(os.cpu_count() or 1, 4)
    if len(texts) < PARALLEL_FROM or workers < 2:
        return _detect_chunk(texts)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(texts) // workers)
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    # "spawn": a fresh interpreter that imports only this module, never a fork of Rasa's threads.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return [detection for chunk in pool.map(_detect_chunk, chunks) for detection in chunk]


def plain_langdetect(text: str, supported: Iterable[str]) -> str:
    """The baseline: langdetect's top language, mapped to the supported ones or "other"."""
    try:
        top = detect_langs(text)[0].lang
    except LangDetectException:
        return UNDETERMINED
    return top if top in set(supported) else OTHER
