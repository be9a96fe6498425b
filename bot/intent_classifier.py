"""Intent classification by multinomial logistic regression over word counts and sentence embeddings.

Measured on the held-out split (`make nlu-report`), a linear model over tf-idf-weighted word and character
counts plus multilingual sentence embeddings (`bot.sentence_encoder`) classifies intents better in all
three languages than DIET does with the same features: with ~70 training examples per intent and language DIET fits
the training set perfectly and generalises less. It is fitted by bot.logistic (sklearn's model and solver,
block by block: seconds instead of two minutes).

The trained model is stored as plain arrays (`.npz`, no pickle) and applied with numpy, so loading a
model runs no code from the model file."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import TfidfTransformer
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language_detection import detected_language
from bot.logistic import fit_multinomial

logger = logging.getLogger(__name__)

ARRAYS = "linear_intent_classifier.npz"


def dense_vector(message: Message, dense_features: Dict[str, float]) -> Optional[np.ndarray]:
    """The text's dense sentence features: with `dense_features` ({featurizer alias: weight}), those
    featurizers' vectors, each scaled by its weight, side by side; without, every dense feature as it is.
    None if there is none (or one of the named featurizers added none)."""
    if not dense_features:
        _, dense = message.get_dense_features(TEXT)
        return None if dense is None else np.asarray(dense.features)
    parts = []
    for alias, weight in dense_features.items():
        _, dense = message.get_dense_features(TEXT, [alias])
        if dense is None:
            return None
        parts.append(np.asarray(dense.features) * float(weight))
    return np.hstack(parts)


def message_features(message: Message, dense_features: Optional[Dict[str, float]] = None
                     ) -> Optional[Tuple[scipy.sparse.csr_matrix, Optional[np.ndarray]]]:
    """The text's sparse sentence features (counts) and dense sentence features, or None without text."""
    counts = sentence_counts(message)
    if counts is None:
        return None
    return counts, dense_vector(message, dense_features or {})


def sentence_counts(message: Message) -> Optional[scipy.sparse.csr_matrix]:
    """The sparse sentence features of the text side by side, in the pipeline's order: what
    `message.get_sparse_features(TEXT)[1]` gives, without also combining the sequence features (per token,
    unused here), which took most of the classifier's time in a conversation."""
    parts = [f.features for f in message.features
             if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()]
    if not parts:
        return None
    return scipy.sparse.hstack(parts, format="csr") if len(parts) > 1 else scipy.sparse.csr_matrix(parts[0])


def tfidf(counts: scipy.sparse.csr_matrix, idf: np.ndarray) -> scipy.sparse.csr_matrix:
    """Sublinear term frequency times the stored idf, each row scaled to unit length: sklearn's
    TfidfTransformer(sublinear_tf=True) given the idf the model was trained with, computed on the sparse
    arrays directly (sklearn's transform builds an n_features diagonal matrix on every call, a few
    milliseconds per message in a conversation)."""
    x = scipy.sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    x.eliminate_zeros()
    x.data = (np.log(x.data) + 1.0) * idf[x.indices]
    lengths = np.diff(x.indptr)
    rows = np.repeat(np.arange(x.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=x.data ** 2, minlength=x.shape[0]))
    norms[norms == 0.0] = 1.0
    x.data /= norms[rows]
    return x


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Multinomial logistic regression on tf-idf counts plus the dense sentence features, weighted by the
    message's detected language (`bot.language_detection` runs first)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 30.0,  # inverse regularisation strength (as sklearn's LogisticRegression's)
            # {featurizer alias: weight} for the sentence embeddings to use, each scaled by its weight;
            # empty: every dense sentence feature, unscaled.
            "dense_features": {},
            "dense_weight": 0.7,  # scale of the sentence embeddings next to the unit-length tf-idf vector
            # Per detected language, where the embeddings deserve less (or more) weight than the default
            # (config.yml: on the cross-validation folds it helped Haven's Arabic examples less).
            "dense_weight_by_language": {},
            "ranking_length": 10,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 arrays: Optional[Dict[str, np.ndarray]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.arrays = arrays
        self._dense_coef_cache: Optional[Tuple[int, np.ndarray]] = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    def _dense_coef(self, words: int) -> np.ndarray:
        """The embedding columns of the coefficients, transposed and contiguous once (not per message)."""
        if self._dense_coef_cache is None or self._dense_coef_cache[0] != words:
            self._dense_coef_cache = (words, np.ascontiguousarray(self.arrays["coef"][:, words:].T))
        return self._dense_coef_cache[1]

    def dense_weight(self, message: Message) -> float:
        weights = self.config["dense_weight_by_language"]
        return float(weights.get(detected_language(message), self.config["dense_weight"]))

    def train(self, training_data: TrainingData) -> Resource:
        rows = [(features, example.get(INTENT), self.dense_weight(example))
                for example in training_data.intent_examples
                if (features := message_features(example, self.config["dense_features"])) is not None]
        if len({intent for _, intent, _ in rows}) < 2:
            logger.warning("LinearIntentClassifier needs examples of at least two intents; it was not trained.")
            return self._resource
        counts = scipy.sparse.vstack([f[0] for f, _, _ in rows]).tocsr()
        with_dense = sum(f[1] is not None for f, _, _ in rows)
        if 0 < with_dense < len(rows) or (self.config["dense_features"] and not with_dense):
            raise ValueError(f"LinearIntentClassifier: {len(rows) - with_dense} of {len(rows)} examples lack the "
                             f"dense features {sorted(self.config['dense_features']) or 'of the pipeline'}; "
                             "check the featurizers' aliases in config.yml.")
        dense = None if not with_dense else np.vstack([f[1] for f, _, _ in rows])
        idf = TfidfTransformer(sublinear_tf=True).fit(counts).idf_
        weights = np.array([weight for _, _, weight in rows]).reshape(-1, 1)
        # One row per message: its tf-idf vector, then its embedding scaled by that message's dense weight;
        # the two blocks are fitted side by side (bot.logistic: sklearn's model, much faster).
        fitted = fit_multinomial(tfidf(counts, idf), None if dense is None else dense * weights,
                                 [intent for _, intent, _ in rows], C=self.config["C"], max_iter=5000)
        self.arrays = {"coef": fitted.coef, "intercept": fitted.intercept, "idf": idf,
                       "classes": np.asarray(fitted.classes, dtype=str)}
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self.arrays is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / ARRAYS, **self.arrays)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / ARRAYS, allow_pickle=False) as stored:
                    return cls(config, model_storage, resource, {k: stored[k] for k in stored.files})
        except (ValueError, FileNotFoundError, OSError):
            logger.warning("LinearIntentClassifier has no trained model in '%s'.", resource.name)
            return cls(config, model_storage, resource)

    def probabilities(self, message: Message) -> Optional[np.ndarray]:
        features = message_features(message, self.config["dense_features"])
        if self.arrays is None or features is None:
            return None
        counts, dense = features
        if dense is None and self.arrays["coef"].shape[1] > counts.shape[1]:
            dense = np.zeros((1, self.arrays["coef"].shape[1] - counts.shape[1]))  # a featurizer added nothing
        # The same row as in training (tf-idf, then the weighted embedding), multiplied block by block.
        coef = self.arrays["coef"]
        row = tfidf(counts, self.arrays["idf"])  # one row: only the columns of its words count
        scores = (coef[:, row.indices] @ row.data).reshape(1, -1) + self.arrays["intercept"]
        if dense is not None:
            scores += (dense.reshape(1, -1) * self.dense_weight(message)) @ self._dense_coef(counts.shape[1])
        return softmax(scores)[0]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            probabilities = self.probabilities(message)
            if probabilities is None:
                intent: Dict[str, Any] = {"name": None, "confidence": 0.0}
                ranking: List[Dict[str, Any]] = []
            else:
                order = np.argsort(-probabilities)[: self.config["ranking_length"]]
                ranking = [{"name": str(self.arrays["classes"][i]), "confidence": float(probabilities[i])}
                           for i in order]
                intent = ranking[0]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
