"""The multilingual sentence feature: shipped weights, meaning across languages, features the classifiers can use."""
from __future__ import annotations

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.sentence_encoder import DIMENSIONS, SentenceEncoderFeaturizer, embed


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_the_same_request_is_closer_across_languages_than_a_different_one() -> None:
    unpaid_en, unpaid_fr, unpaid_ar, clinic_en = embed([
        "my employer never paid my wages", "mon patron ne m'a jamais payé mon salaire",
        "صاحب العمل لم يدفع لي راتبي", "where is the nearest clinic"])
    assert cosine(unpaid_en, unpaid_fr) > cosine(unpaid_en, clinic_en) + 0.1
    assert cosine(unpaid_en, unpaid_ar) > cosine(unpaid_en, clinic_en) + 0.1


def test_every_text_gets_one_vector_and_a_blank_one_gets_zeros() -> None:
    vectors = embed(["hello", "", "   ", "مرحبا"])
    assert vectors.shape == (4, DIMENSIONS) and vectors.dtype == np.float32
    assert not vectors[1].any() and not vectors[2].any()
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-3)


def test_the_same_text_always_gets_the_same_vector_whatever_the_batch() -> None:
    alone = embed(["je cherche un abri à Tripoli"])[0]
    in_a_batch = embed(["ok", "je cherche un abri à Tripoli", "شكرا"])[1]
    assert np.allclose(alone, in_a_batch, atol=1e-5)


def test_the_featurizer_adds_a_sentence_feature_to_messages_with_text_only(tmp_path) -> None:
    featurizer = SentenceEncoderFeaturizer.create(
        {**SentenceEncoderFeaturizer.get_default_config(), "alias": "sentence_encoder"},
        LocalModelStorage(tmp_path), Resource("sentence_encoder"),
        ExecutionContext(graph_schema=None, node_name="sentence_encoder"))  # type: ignore[arg-type]
    with_text = Message(data={TEXT: "I lost my passport", INTENT: "lost_documents"})
    intent_only = Message(data={INTENT: "greet"})
    featurizer.process_training_data(TrainingData([with_text, intent_only]))
    [feature] = with_text.features
    assert (feature.type, feature.attribute, feature.origin) == ("sentence", TEXT, "sentence_encoder")
    assert feature.features.shape == (1, DIMENSIONS)
    assert intent_only.get_dense_features(TEXT) == (None, None)


def test_arabic_diacritics_and_elongation_do_not_change_the_vector() -> None:
    plain, diacritised, elongated = embed(["أريد العودة إلى بلدي", "أُرِيدُ العَوْدَةَ إِلَى بَلَدِي", "أريــــد العودة إلى بلدي"])
    assert np.allclose(plain, diacritised, atol=1e-5) and np.allclose(plain, elongated, atol=1e-5)
