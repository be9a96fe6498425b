"""The linear intent classifier, on hand-made features: the arithmetic, training, storage and edge cases."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfTransformer

from bot.intent_classifier import LinearIntentClassifier, tfidf
from bot.language_detection import LANGUAGE

CONTEXT = ExecutionContext(graph_schema=None, node_name="linear")  # type: ignore[arg-type]


def message(counts: List[int], dense: Optional[List[float]] = None, intent: Optional[str] = None,
            language: str = "en") -> Message:
    """A message as the featurizers leave it: sparse counts, maybe a dense embedding, the language."""
    data = {TEXT: "text", LANGUAGE: {"name": language, "confidence": 1.0}}
    if intent:
        data[INTENT] = intent
    result = Message(data=data)
    result.add_features(Features(scipy.sparse.coo_matrix([counts]), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    if dense is not None:
        result.add_features(Features(np.asarray([dense], dtype=np.float32), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    return result


def classifier(tmp_path: Path, **config) -> LinearIntentClassifier:
    return LinearIntentClassifier.create({**LinearIntentClassifier.get_default_config(), **config},
                                         LocalModelStorage(tmp_path), Resource("linear"), CONTEXT)


def three_intents() -> List[Message]:
    """Word 0/1/2 stand for greet/wages/centre; the dense feature points the same way; some noise words."""
    rng = np.random.default_rng(7)
    examples = []
    for label, intent in enumerate(["greet", "wages", "centre"]):
        for language in ("en", "fr", "ar"):
            for _ in range(6):
                counts = [0] * 6
                counts[label] = int(rng.integers(1, 3))
                counts[3 + int(rng.integers(0, 3))] = 1
                dense = [0.0, 0.0, 0.0]
                dense[label] = 1.0
                examples.append(message(counts, dense, intent, language))
    return examples


def test_tfidf_is_sklearns_sublinear_l2_tfidf() -> None:
    counts = scipy.sparse.csr_matrix(np.array([[3, 0, 1, 0], [0, 2, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0]]))
    reference = TfidfTransformer(sublinear_tf=True).fit(counts)
    assert np.allclose(tfidf(counts, reference.idf_).toarray(), reference.transform(counts).toarray())


def test_it_learns_the_intents_and_ranks_them(tmp_path: Path) -> None:
    model = classifier(tmp_path)
    model.train(TrainingData(three_intents()))
    new = [message([0, 2, 0, 1, 0, 0], [0.0, 0.9, 0.1], language="fr"),
           message([0, 0, 1, 0, 0, 1], [0.1, 0.0, 0.9], language="ar")]
    model.process(new)
    assert [m.get(INTENT)["name"] for m in new] == ["wages", "centre"]
    ranking = new[0].get(INTENT_RANKING_KEY)
    assert [r["name"] for r in ranking][0] == "wages" and len(ranking) == 3
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking[0]["confidence"] > 0.5


def test_a_stored_model_answers_exactly_as_the_trained_one(tmp_path: Path) -> None:
    trained = classifier(tmp_path)
    trained.train(TrainingData(three_intents()))
    loaded = LinearIntentClassifier.load({**LinearIntentClassifier.get_default_config()},
                                         LocalModelStorage(tmp_path), Resource("linear"), CONTEXT)
    probe = message([1, 1, 0, 0, 1, 0], [0.5, 0.5, 0.0], language="ar")
    assert np.allclose(trained.probabilities(probe), loaded.probabilities(probe))


def test_a_message_without_features_or_an_untrained_model_gets_no_intent(tmp_path: Path) -> None:
    untrained = LinearIntentClassifier.load({**LinearIntentClassifier.get_default_config()},
                                            LocalModelStorage(tmp_path), Resource("linear"), CONTEXT)
    [result] = untrained.process([message([1, 0, 0, 0, 0, 0], [1.0, 0.0, 0.0])])
    assert result.get(INTENT) == {"name": None, "confidence": 0.0}
    trained = classifier(tmp_path)
    trained.train(TrainingData(three_intents()))
    [bare] = trained.process([Message(data={TEXT: "text"})])
    assert bare.get(INTENT) == {"name": None, "confidence": 0.0} and bare.get(INTENT_RANKING_KEY) == []


def test_two_intents_give_two_probabilities(tmp_path: Path) -> None:
    model = classifier(tmp_path)
    model.train(TrainingData([m for m in three_intents() if m.get(INTENT) != "centre"]))
    [result] = model.process([message([2, 0, 0, 0, 0, 1], [1.0, 0.0, 0.0])])
    assert result.get(INTENT)["name"] == "greet"
    assert [r["name"] for r in result.get(INTENT_RANKING_KEY)] == ["greet", "wages"]
    assert sum(r["confidence"] for r in result.get(INTENT_RANKING_KEY)) == pytest.approx(1.0)


def test_one_intent_is_not_enough_to_train(tmp_path: Path) -> None:
    model = classifier(tmp_path)
    model.train(TrainingData([m for m in three_intents() if m.get(INTENT) == "greet"]))
    [result] = model.process([message([1, 0, 0, 0, 0, 0], [1.0, 0.0, 0.0])])
    assert result.get(INTENT)["name"] is None


def test_the_embedding_weighs_what_the_messages_language_says(tmp_path: Path) -> None:
    model = classifier(tmp_path, dense_weight=1.0, dense_weight_by_language={"ar": 0.0})
    model.train(TrainingData(three_intents()))
    same_words = [0, 0, 0, 1, 0, 0]
    arabic = [model.probabilities(message(same_words, dense, language="ar")) for dense in ([1, 0, 0], [0, 0, 1])]
    english = [model.probabilities(message(same_words, dense, language="en")) for dense in ([1, 0, 0], [0, 0, 1])]
    assert np.allclose(arabic[0], arabic[1])  # weight 0: only the words count
    assert not np.allclose(english[0], english[1])
    assert model.dense_weight(Message(data={TEXT: "x"})) == 1.0  # no detected language: the default


def with_second_embedding(example: Message, dense: List[float]) -> Message:
    example.add_features(Features(np.asarray([dense], dtype=np.float32), FEATURE_TYPE_SENTENCE, TEXT, "other"))
    return example


def test_only_the_named_embeddings_count_each_scaled_by_its_weight(tmp_path: Path) -> None:
    model = classifier(tmp_path, dense_features={"dense": 2.0})
    model.train(TrainingData([with_second_embedding(m, [0.0, 1.0]) for m in three_intents()]))
    assert model.arrays["coef"].shape[1] == 6 + 3  # the counts, then the named embedding only
    probe = message([0, 0, 0, 1, 0, 0], [0.0, 0.0, 1.0])
    ignored = [model.probabilities(with_second_embedding(probe, other)) for other in ([1.0, 0.0], [0.0, 5.0])]
    assert np.allclose(ignored[0], ignored[1])
    (tmp_path / "unscaled").mkdir()
    unscaled = classifier(tmp_path / "unscaled", dense_features={"dense": 1.0})
    unscaled.train(TrainingData(three_intents()))
    assert not np.allclose(model.probabilities(probe), unscaled.probabilities(probe))


def test_training_refuses_examples_missing_a_named_embedding(tmp_path: Path) -> None:
    model = classifier(tmp_path, dense_features={"dense": 1.0, "e5": 1.0})
    with pytest.raises(ValueError, match=r"lack the dense features \['dense', 'e5'\]"):
        model.train(TrainingData(three_intents()))


def test_sentence_counts_are_rasas_combined_sparse_sentence_features() -> None:
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    from bot.intent_classifier import sentence_counts

    message = Message(data={TEXT: "two words"})
    for origin, width in (("words", 5), ("characters", 7)):
        sentence = scipy.sparse.coo_matrix(np.arange(width).reshape(1, -1) % 3)
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, origin))
        message.add_features(Features(scipy.sparse.coo_matrix(np.ones((2, width))), FEATURE_TYPE_SEQUENCE, TEXT,
                                      origin))
    _, expected = message.get_sparse_features(TEXT)
    assert np.array_equal(sentence_counts(message).toarray(), expected.features.toarray())
    assert sentence_counts(Message(data={TEXT: "none"})) is None
