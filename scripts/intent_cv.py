"""`make intent-cv`: how the intent classifier and the fallback thresholds in config.yml do on 5-fold
cross-validation of the training part (the held-out 20 % of `make nlu-report` and `make bench` is never
read), so that settings can be chosen without looking at the held-out split.

The featurizers before the intent classifier in config.yml run once over the whole training part: the
word and character vocabularies then hold words that a fold's training rows lack, but those columns are
zero in every row the classifier fits on, so it gives them no weight, as if they were not there (the
tf-idf weights are fitted per fold, inside the classifier). The entity extractor is skipped (entities only).

Reports, per language: macro-F1 and accuracy of the out-of-fold predictions, and what FallbackClassifier's
thresholds would do with them: the share of correct answers lost to "say it in other words", the share
of wrong answers caught, and the share of messages answered wrongly. Written to reports/intent_cv.json."""
from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FOLDS = 5
SEED = 7
CLASSIFIER = "bot.intent_classifier.LinearIntentClassifier"
SKIPPED = {"bot.entity_gazetteer.GazetteerEntityExtractor"}  # entities only: nothing the intents read


@dataclass
class FallbackTradeoff:
    threshold: float
    ambiguity_threshold: float
    correct_lost: float  # of the correctly classified messages, the share that would fall back
    wrong_caught: float  # of the misclassified messages, the share that would fall back
    answered_wrongly: float  # of all messages, the share answered with a wrong intent
    fallback_rate: float  # of all messages, the share that would fall back


def fallback_tradeoff(probabilities: np.ndarray, correct: np.ndarray, threshold: float,
                      ambiguity_threshold: float) -> FallbackTradeoff:
    """What FallbackClassifier does with these rows of intent probabilities: it falls back when the top
    intent's confidence is below `threshold` or within `ambiguity_threshold` of the second's."""
    ranked = np.sort(probabilities, axis=1)
    top, second = ranked[:, -1], ranked[:, -2]
    falls_back = (top < threshold) | (top - second < ambiguity_threshold)
    return FallbackTradeoff(
        threshold, ambiguity_threshold,
        correct_lost=round(float((falls_back & correct).sum() / max(correct.sum(), 1)), 4),
        wrong_caught=round(float((falls_back & ~correct).sum() / max((~correct).sum(), 1)), 4),
        answered_wrongly=round(float((~falls_back & ~correct).mean()), 4),
        fallback_rate=round(float(falls_back.mean()), 4))


def macro_f1(expected: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return round(float(f1_score(expected, predicted, average="macro", zero_division=0)), 4)


def pipeline() -> List[Dict[str, Any]]:
    from rasa.shared.utils.io import read_yaml_file

    return read_yaml_file(ROOT / "config.yml")["pipeline"]


def training_parts(out: Path) -> List[Tuple[str, Path]]:
    """Each language's training part, split by `make nlu-report`'s own split."""
    from scripts.nlu_report import languages, split

    return [(language, split(language, out / language)) for language in languages()]


def featurized(components: List[Dict[str, Any]], examples: List[Any], storage: Any) -> None:
    """Runs config.yml's components before the intent classifier over the examples, in order."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData(examples)
    for index, item in enumerate(components):
        config = {key: value for key, value in item.items() if key != "name"}
        registered = DefaultV1Recipe._from_registry(item["name"])
        name = config.get("alias", f"{item['name']}{index}")
        context = ExecutionContext(GraphSchema({}), node_name=name)
        component = registered.clazz.create({**registered.clazz.get_default_config(), **config}, storage,
                                            Resource(name), context)
        if registered.is_trainable:
            component.train(data)
        component.process_training_data(data)


def cross_validate() -> Dict[str, Any]:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    from bot.intent_classifier import LinearIntentClassifier

    items = pipeline()
    position = next(i for i, item in enumerate(items) if item["name"] == CLASSIFIER)
    before = [item for item in items[:position] if item["name"] not in SKIPPED]
    classifier_config = {k: v for k, v in items[position].items() if k != "name"}
    fallback = next((item for item in items if item["name"] == "FallbackClassifier"), {})
    thresholds = (float(fallback.get("threshold", 0.3)), float(fallback.get("ambiguity_threshold", 0.1)))

    with tempfile.TemporaryDirectory() as scratch:
        examples, languages = [], []
        for language, part in training_parts(Path(scratch) / "split"):
            loaded = load_data(str(part)).intent_examples
            examples += loaded
            languages += [language] * len(loaded)
        (Path(scratch) / "models").mkdir()
        storage = LocalModelStorage(Path(scratch) / "models")
        featurized(before, examples, storage)
        intents = np.array([example.get(INTENT) for example in examples])
        languages_ = np.array(languages)
        strata = np.char.add(np.char.add(languages_, ":"), intents)
        predicted = np.empty(len(examples), dtype=object)
        probabilities = None
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(examples, strata)
        for fold, (train, test) in enumerate(folds):
            classifier = LinearIntentClassifier.create(
                classifier_config, storage, Resource(f"fold{fold}"),
                ExecutionContext(GraphSchema({}), node_name=f"fold{fold}"))
            classifier.train(TrainingData([examples[i] for i in train]))
            classes = classifier.arrays["classes"]
            if probabilities is None:
                probabilities = np.zeros((len(examples), len(classes)))
            for i in test:
                probabilities[i] = classifier.probabilities(examples[i])
                predicted[i] = classes[int(np.argmax(probabilities[i]))]
            print(f"fold {fold + 1}/{FOLDS} done", flush=True)

    correct = predicted == intents
    result: Dict[str, Any] = {"folds": FOLDS, "fallback_thresholds": list(thresholds), "languages": {}}
    for language in sorted(set(languages)):
        mask = languages_ == language
        result["languages"][language] = {
            "examples": int(mask.sum()),
            "macro_f1": macro_f1(intents[mask], predicted[mask]),
            "accuracy": round(float(correct[mask].mean()), 4),
            "fallback": asdict(fallback_tradeoff(probabilities[mask], correct[mask], *thresholds)),
        }
    result["fallback_grid"] = [asdict(fallback_tradeoff(probabilities, correct, t, a))
                               for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55) for a in (0.0, 0.05)]
    return result


def main() -> int:
    result = cross_validate()
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "intent_cv.json").write_text(json.dumps(result, indent=2))
    threshold, ambiguity = result["fallback_thresholds"]
    for language, scores in result["languages"].items():
        f = scores["fallback"]
        print(f"{language}: macro-F1 {scores['macro_f1']:.3f}, accuracy {scores['accuracy']:.3f} "
              f"({scores['examples']} examples); fallback at {threshold}/{ambiguity}: loses "
              f"{f['correct_lost']:.1%} of the correct answers, catches {f['wrong_caught']:.1%} of the wrong "
              f"ones, answers {f['answered_wrongly']:.1%} wrongly")
    print("all languages, other fallback thresholds (threshold/ambiguity: correct lost, wrong caught, "
          "answered wrongly):")
    for row in result["fallback_grid"]:
        print(f"  {row['threshold']}/{row['ambiguity_threshold']}: {row['correct_lost']:.1%}, "
              f"{row['wrong_caught']:.1%}, {row['answered_wrongly']:.1%}")
    print(f"Report: {ROOT / 'reports' / 'intent_cv.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
