"""Rasa entity extractor: places, countries, services and languages found by name, not by a neural network.

Haven's entities are names from closed lists: the places and countries of the directory, its service types,
the languages people ask for. DIET learned them in 25 minutes of training a run; this extractor knows them
at once and trains in about a second (`make bench`: it also finds them more precisely, on the held-out split).
Names come from two places:

* the training data (learned): every annotated entity ("[hôpital]{"entity": "service_type", "value":
  "health"}"), every synonym of an annotated value;
* the content files (read when the model is loaded, so a place or a service type an editor adds is known
  after `make publish` without training): data/directory/places.csv, countries.csv, service_types.csv and the
  language names of data/languages.yml.

Names are compared after bot.normalise (case, accents, Arabic letter variants). A name inside an Arabic word
behind a one-letter preposition or conjunction ("بطرابلس", "وبنغازي") is found; a place or country name
misspelt by a letter or two ("tripolli", "benghazzi") is found by fuzzy matching (rapidfuzz), except for
words the training data uses as ordinary words."""
from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Text, Tuple

import yaml
from rapidfuzz import fuzz, process
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.normalise import normalise

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
TOKENS = "text_tokens"
#: The entity types this extractor knows; the others (latitude, return_phase, ...) come from buttons.
NAMED_ENTITIES = ("city", "country", "service_type", "language")
#: Entity types whose names may be misspelt and still found (closed lists of proper names).
FUZZY_ENTITIES = ("city", "country")
#: Arabic one-letter words written joined to the next one: و (and), ب (in), ل (to), ف (so), ك (like).
ARABIC_PREFIXES = ("وب", "ول", "فب", "و", "ب", "ل", "ف", "ك")
LONGEST_NAME = 5  # tokens
TATWEEL = "\u0640"
NAMES_FILE = "names.json"

#: A value of None means "the words as the person wrote them" (a place is resolved by the actions).
Sense = Tuple[str, Optional[str]]


@dataclass(frozen=True)
class Found:
    entity: str
    value: Optional[str]
    start: int
    end: int
    confidence: float


class NameIndex:
    """Normalised names → the most likely (entity, value), plus the words never taken for a misspelt name."""

    def __init__(self, senses: Dict[str, Counter], ordinary_words: Iterable[str], fuzzy_threshold: float,
                 fuzzy_min_length: int, ambiguous: Iterable[str] = ()) -> None:
        self.senses = {name: counter.most_common(1)[0][0] for name, counter in senses.items() if counter}
        self.ordinary_words = set(ordinary_words)
        self.ambiguous = set(ambiguous)
        self.fuzzy_threshold = fuzzy_threshold
        self.fuzzy_min_length = fuzzy_min_length
        self._fuzzy_names = [name for name, (entity, _) in self.senses.items()
                             if entity in FUZZY_ENTITIES and " " not in name and len(name) >= fuzzy_min_length]

    def exact(self, name: str, whole_message: bool = False) -> Optional[Sense]:
        """A name the training data mostly uses as an ordinary word ("en" in French, "doctor" where nobody
        asked for a service) counts only as the whole message ("en" alone: reply in English)."""
        if name in self.ambiguous and not whole_message:
            return None
        return self.senses.get(name)

    def fuzzy(self, word: str) -> Optional[Tuple[Sense, float]]:
        if len(word) < self.fuzzy_min_length or word in self.ordinary_words or not self._fuzzy_names:
            return None
        best = process.extractOne(word, self._fuzzy_names, scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold)
        return (self.senses[best[0]], best[1] / 100) if best else None


def find_names(text: str, tokens: Sequence[Token], index: NameIndex) -> List[Found]:
    """Left to right, the longest name starting at each token; then the Arabic prefixes; then misspellings."""
    words = [normalise(token.text) for token in tokens]
    whole = " ".join(w for w in words if w)
    found: List[Found] = []
    i = 0
    while i < len(tokens):
        match = _longest_exact(words, i, index, whole)
        if match:
            length, (entity, value) = match
            found.append(Found(entity, value, tokens[i].start, tokens[i + length - 1].end, 1.0))
            i += length
            continue
        single = _prefixed(text, tokens[i], words[i], index) or _misspelt(tokens[i], words[i], index)
        if single:
            found.append(single)
        i += 1
    return found


def _longest_exact(words: Sequence[str], i: int, index: NameIndex,
                   whole: str = "") -> Optional[Tuple[int, Sense]]:
    for length in range(min(LONGEST_NAME, len(words) - i), 0, -1):
        name = " ".join(w for w in words[i:i + length] if w)
        if name and words[i] and words[i + length - 1]:
            sense = index.exact(name, whole_message=name == whole)
            if sense:
                return length, sense
    return None


def _prefixed(text: str, token: Token, word: str, index: NameIndex) -> Optional[Found]:
    for prefix in ARABIC_PREFIXES:
        rest = word[len(prefix):]
        sense = index.exact(rest) if word.startswith(prefix) and len(rest) >= 3 else None
        if sense:
            entity, value = sense
            start = token.start + len(prefix) if text[token.start:token.start + len(prefix)] == prefix else token.start
            while start < token.end - 1 and text[start] == TATWEEL:  # "لـإثيوبيا"
                start += 1
            return Found(entity, value, start, token.end, 0.9)
    return None


def _misspelt(token: Token, word: str, index: NameIndex) -> Optional[Found]:
    guess = index.fuzzy(word)
    if guess:
        (entity, value), score = guess
        return Found(entity, value, token.start, token.end, score)
    return None


# --- where the names come from ------------------------------------------------------------------------------

def learned_senses(training_data: TrainingData) -> Dict[str, Counter]:
    """Every annotated name of a known entity type, and every synonym of an annotated value."""
    senses: Dict[str, Counter] = {}
    values: Dict[str, str] = {}
    for message in training_data.entity_examples:
        text = message.get(TEXT) or ""
        for annotation in message.get(ENTITIES) or []:
            entity = annotation.get("entity")
            if entity not in NAMED_ENTITIES:
                continue
            written = text[annotation["start"]:annotation["end"]]
            value = annotation.get("value")
            explicit = None if value is None or normalise(str(value)) == normalise(written) else str(value)
            senses.setdefault(normalise(written), Counter())[(entity, explicit)] += 1
            if value is not None:
                values.setdefault(normalise(str(value)), entity)
    for synonym, value in training_data.entity_synonyms.items():
        entity = values.get(normalise(str(value)))
        if entity:
            senses.setdefault(normalise(synonym), Counter())[(entity, str(value))] += 1
    return senses


def tokens_and_annotations(training_data: TrainingData) -> Iterator[Tuple[List[Any], List[Tuple[int, int]]]]:
    """Each example with text: its tokens and the (start, end) of its entity annotations."""
    for message in training_data.training_examples:
        if message.get(TEXT):
            yield message.get(TOKENS) or [], [(e["start"], e["end"]) for e in message.get(ENTITIES) or []]


def unannotated_uses(training_data: TrainingData, names: Iterable[str]) -> Counter:
    """How often each of `names` occurs in the training data outside any entity annotation."""
    wanted = set(names)
    counts: Counter = Counter()
    for tokens, spans in tokens_and_annotations(training_data):
        for i in range(len(tokens)):
            for j in range(i + 1, min(i + LONGEST_NAME, len(tokens)) + 1):
                if any(start < tokens[j - 1].end and tokens[i].start < end for start, end in spans):
                    break
                name = " ".join(w for w in (normalise(t.text) for t in tokens[i:j]) if w)
                if name in wanted:
                    counts[name] += 1
    return counts


def ambiguous_names(senses: Dict[str, Counter], training_data: TrainingData) -> List[str]:
    """Learned names used more often as ordinary words than as names in the training data."""
    uses = unannotated_uses(training_data, senses)
    return sorted(name for name, counter in senses.items() if uses[name] > sum(counter.values()))


def ordinary_words(training_data: TrainingData, minimum: int = 2) -> List[str]:
    """Words the training data uses at least `minimum` times outside any entity: never a misspelt place."""
    counts: Counter = Counter()
    for tokens, spans in tokens_and_annotations(training_data):
        for token in tokens:
            if not any(start <= token.start < end for start, end in spans):
                counts[normalise(token.text)] += 1
    return sorted(word for word, count in counts.items() if count >= minimum and word)


def content_senses(root: Path = ROOT) -> Dict[str, Counter]:
    """The names in the content files an editor changes: places, countries, service types, languages."""
    directory = root / "data" / "directory"
    senses: Dict[str, Counter] = {}

    def add(name: str, sense: Sense) -> None:
        key = normalise(name)
        if key:
            senses.setdefault(key, Counter())[sense] += 1

    for row in _rows(directory / "places.csv"):
        for name in _names(row):
            add(name, ("city", None))
    for row in _rows(directory / "countries.csv"):
        for name in _names(row):
            add(name, ("country", None))
    for row in _rows(directory / "service_types.csv"):
        for name in _names(row, alt_names=False):
            add(name.split("(")[0], ("service_type", row["id"]))
    settings = yaml.safe_load((root / "data" / "languages.yml").read_text(encoding="utf-8")) or {}
    for code, spec in (settings.get("languages") or {}).items():
        for name in spec.get("names") or []:
            add(str(name), ("language", code))
    return senses


def _rows(path: Path) -> List[Dict[str, str]]:
    if not path.exists():
        logger.warning("No %s: its names are not recognised as entities.", path)
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _names(row: Dict[str, str], alt_names: bool = True) -> List[str]:
    names = [value for key, value in row.items() if key.startswith("name_") and value]
    if alt_names:
        names += [n for n in (row.get("alt_names") or "").split("|") if n]
    return names


def merged(learned: Dict[str, Counter], content: Dict[str, Counter]) -> Dict[str, Counter]:
    """The training data decides what a name is when it knows it ("عمان" is Amman there, not Oman)."""
    result = {name: Counter(counter) for name, counter in content.items()}
    for name, counter in learned.items():
        result[name] = Counter(counter)
    return result


# --- the Rasa component -------------------------------------------------------------------------------------

@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class GazetteerEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"fuzzy_threshold": 85, "fuzzy_min_length": 5, "content_root": None}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 learned: Optional[Dict[str, Any]] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._learned = learned or {"senses": {}, "ordinary_words": []}
        self._index = self._build_index()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "GazetteerEntityExtractor":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "GazetteerEntityExtractor":
        try:
            with model_storage.read_from(resource) as folder:
                learned = json.loads((Path(folder) / NAMES_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError) as error:
            logger.warning("GazetteerEntityExtractor: no learned names (%s); using the content files only.", error)
            learned = None
        return cls(config, model_storage, resource, learned)

    def _build_index(self) -> NameIndex:
        learned = {name: Counter({(entity, value): count for entity, value, count in senses})
                   for name, senses in self._learned["senses"].items()}
        root = Path(self._config["content_root"]) if self._config.get("content_root") else ROOT
        content = content_senses(root)
        ordinary = set(self._learned["ordinary_words"])
        # A directory name the training data uses as an ordinary word ("صور", Tyre, is also "photos") is
        # ambiguous too, unless the training data has it as a name.
        ambiguous = set(self._learned.get("ambiguous", [])) | {name for name in content
                                                               if name in ordinary and name not in learned}
        return NameIndex(merged(learned, content), ordinary, self._config["fuzzy_threshold"],
                         self._config["fuzzy_min_length"], ambiguous)

    def train(self, training_data: TrainingData) -> Resource:
        senses = learned_senses(training_data)
        self._learned = {
            "senses": {name: [[entity, value, count] for (entity, value), count in counter.items()]
                       for name, counter in sorted(senses.items())},
            "ordinary_words": ordinary_words(training_data),
            "ambiguous": ambiguous_names(senses, training_data)}
        self._index = self._build_index()
        with self._model_storage.write_to(self._resource) as folder:
            (Path(folder) / NAMES_FILE).write_text(json.dumps(self._learned, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            entities = [{"entity": f.entity, "value": f.value if f.value is not None else text[f.start:f.end],
                         "start": f.start, "end": f.end, "confidence_entity": round(f.confidence, 3)}
                        for f in find_names(text, message.get(TOKENS) or [], self._index)]
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities),
                        add_to_output=True)
        return messages
