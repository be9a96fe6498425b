"""The multilingual sentence features: shipped weights, meaning across languages, features the classifiers can use.
Every property is checked for each encoder Haven can use (bot.encoders)."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.encoders import ENCODERS, encoder
from bot.sentence_encoder import SentenceEncoderFeaturizer, embed

EVERY_ENCODER = pytest.mark.parametrize("name", sorted(ENCODERS))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@EVERY_ENCODER
def test_the_same_request_is_closer_across_languages_than_a_different_one(name: str) -> None:
    unpaid_en, unpaid_fr, unpaid_ar, clinic_en = embed([
        "my employer never paid my wages", "mon patron ne m'a jamais payé mon salaire",
        "صاحب العمل لم يدفع لي راتبي", "where is the nearest clinic"], name)
    assert cosine(unpaid_en, unpaid_fr) > cosine(unpaid_en, clinic_en) + 0.1
    assert cosine(unpaid_en, unpaid_ar) > cosine(unpaid_en, clinic_en) + 0.1


@EVERY_ENCODER
def test_every_text_gets_one_vector_and_a_blank_one_gets_zeros(name: str) -> None:
    vectors = embed(["hello", "", "   ", "مرحبا"], name)
    assert vectors.shape == (4, encoder(name).dimensions) and vectors.dtype == np.float32
    assert not vectors[1].any() and not vectors[2].any()
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-3)


@EVERY_ENCODER
def test_the_same_text_always_gets_the_same_vector_whatever_the_batch(name: str) -> None:
    alone = embed(["je cherche un abri à Tripoli"], name)[0]
    in_a_batch = embed(["ok", "je cherche un abri à Tripoli", "شكرا"], name)[1]
    assert np.allclose(alone, in_a_batch, atol=1e-5)


@EVERY_ENCODER
def test_the_featurizer_adds_a_sentence_feature_to_messages_with_text_only(tmp_path, name: str) -> None:
    featurizer = SentenceEncoderFeaturizer.create(
        {**SentenceEncoderFeaturizer.get_default_config(), "alias": "sentence_encoder", "encoder": name},
        LocalModelStorage(tmp_path), Resource("sentence_encoder"),
        ExecutionContext(graph_schema=None, node_name="sentence_encoder"))  # type: ignore[arg-type]
    with_text = Message(data={TEXT: "I lost my passport", INTENT: "lost_documents"})
    intent_only = Message(data={INTENT: "greet"})
    featurizer.process_training_data(TrainingData([with_text, intent_only]))
    [feature] = with_text.features
    assert (feature.type, feature.attribute, feature.origin) == ("sentence", TEXT, "sentence_encoder")
    assert feature.features.shape == (1, encoder(name).dimensions)
    assert intent_only.get_dense_features(TEXT) == (None, None)


@EVERY_ENCODER
def test_arabic_diacritics_and_elongation_do_not_change_the_vector(name: str) -> None:
    plain, diacritised, elongated = embed(["أريد العودة إلى بلدي", "أُرِيدُ العَوْدَةَ إِلَى بَلَدِي", "أريــــد العودة إلى بلدي"], name)
    assert np.allclose(plain, diacritised, atol=1e-5) and np.allclose(plain, elongated, atol=1e-5)


def test_an_unknown_encoder_is_refused_by_name(tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown encoder 'labse'.*e5, use"):
        SentenceEncoderFeaturizer.create(
            {**SentenceEncoderFeaturizer.get_default_config(), "encoder": "labse"}, LocalModelStorage(tmp_path),
            Resource("x"), ExecutionContext(graph_schema=None, node_name="x"))  # type: ignore[arg-type]


def test_each_encoder_is_loaded_once_per_process() -> None:
    assert encoder("e5") is encoder("e5") and encoder("use") is encoder("use")
