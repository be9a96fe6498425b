"""The name-based entity extractor: names from training data and content files, Arabic prefixes, misspellings."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List

import pytest
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.entity_gazetteer import (NameIndex, content_senses, find_names, learned_senses, merged,
                                  ordinary_words)
from bot.normalise import normalise

ROOT = Path(__file__).resolve().parents[2]


def tokens(text: str) -> List[Token]:
    found, start = [], 0
    for word in text.split():
        start = text.index(word, start)
        found.append(Token(word.strip(",.?!"), start, start + len(word.strip(",.?!"))))
        start += len(word)
    return found


@pytest.fixture(scope="module")
def index() -> NameIndex:
    learned: Dict[str, Counter] = {
        "hopital": Counter({("service_type", "health"): 3}),
        "عمان": Counter({("city", None): 5}),
        "english": Counter({("language", "en"): 4})}
    return NameIndex(merged(learned, content_senses(ROOT)), ["where", "there", "please", "people"], 85, 5)


def extract(text: str, index: NameIndex) -> List[tuple]:
    return [(f.entity, f.value, text[f.start:f.end]) for f in find_names(text, tokens(text), index)]


def test_places_countries_and_services_from_the_directory(index: NameIndex) -> None:
    assert extract("where is a clinic in Benghazi, Libya", index) == [("city", None, "Benghazi"),
                                                                       ("country", None, "Libya")]
    assert ("service_type", "legal_aid", "legal aid") in extract("I need legal aid in Sfax", index)


def test_the_longest_name_wins(index: NameIndex) -> None:
    assert extract("I am in Port Sudan now", index) == [("city", None, "Port Sudan")]


def test_learned_names_keep_their_values_and_decide_ambiguous_ones(index: NameIndex) -> None:
    assert extract("un hôpital svp", index) == [("service_type", "health", "hôpital")]
    assert extract("انا في عمان", index) == [("city", None, "عمان")]
    assert extract("in English please", index) == [("language", "en", "English")]


def test_language_names_from_the_language_settings(index: NameIndex) -> None:
    assert ("language", "fr", "français") in extract("en français svp", index)


def test_a_name_behind_an_arabic_preposition(index: NameIndex) -> None:
    assert extract("انا بطرابلس", index) == [("city", None, "طرابلس")]
    assert extract("وبنغازي كمان", index) == [("city", None, "بنغازي")]


def test_misspelt_places_but_not_ordinary_words(index: NameIndex) -> None:
    assert extract("clinic in benghazzi", index) == [("city", None, "benghazzi")]
    assert extract("there are people", index) == []
    assert extract("a cat", index) == []  # too short to guess


def test_learning_from_training_data() -> None:
    text = "I need a hospital in Sabha please"
    message = Message(data={"text": text, "intent": "find_support_center", "entities": [
        {"entity": "service_type", "value": "health", "start": 9, "end": 17},
        {"entity": "city", "value": "Sabha", "start": 21, "end": 26}]})
    message.set("text_tokens", tokens(text))
    data = TrainingData([message], entity_synonyms={"clinic": "health"})
    senses = learned_senses(data)
    assert senses[normalise("hospital")] == Counter({("service_type", "health"): 1})
    assert senses["sabha"] == Counter({("city", None): 1})
    assert senses["clinic"] == Counter({("service_type", "health"): 1})
    assert "please" in ordinary_words(data, minimum=1) and "sabha" not in ordinary_words(data, minimum=1)


def test_a_name_mostly_used_as_an_ordinary_word_counts_only_alone() -> None:
    index = NameIndex({"en": Counter({("language", "en"): 1}), "libye": Counter({("country", None): 3})},
                      [], 85, 5, ambiguous=["en"])
    assert extract("je suis en Libye", index) == [("country", None, "Libye")]
    assert extract("en", index) == [("language", "en", "en")]


def test_names_used_more_often_unannotated_are_ambiguous() -> None:
    from bot.entity_gazetteer import ambiguous_names

    def example(text: str, entities: list) -> Message:
        message = Message(data={"text": text, "intent": "x", "entities": entities})
        message.set("text_tokens", tokens(text))
        return message

    data = TrainingData([example("en", [{"entity": "language", "value": "en", "start": 0, "end": 2}]),
                         example("je suis en Libye", [{"entity": "country", "value": "Libye", "start": 11, "end": 16}]),
                         example("on est en route", [])])
    senses = learned_senses(data)
    assert ambiguous_names(senses, data) == ["en"]
