"""Entity precision/recall/F1 per entity type and per language, and intent macro-F1, of a trained NLU model on
the held-out 20 % of each language (scripts.nlu_report.split: the same split `make nlu-report` scores).

An entity counts as found when its type, its span (start, end) and its value (after synonyms) are all right:
a place with one letter too few, or "hospital" with no service value, is both a miss and a false alarm.

    python -m bench.held_out MODEL.tar.gz SPLIT_FOLDER OUT.json   (SPLIT_FOLDER/<lang>/test_data.yml)"""
from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

from bot.entity_gazetteer import NAMED_ENTITIES
from bot.normalise import normalise

Span = Tuple[str, int, int, str]


def spans(entities: Iterable[Dict[str, Any]]) -> Counter:
    return Counter((e["entity"], int(e["start"]), int(e["end"]), normalise(str(e.get("value", ""))))
                   for e in entities if e.get("entity") in NAMED_ENTITIES)


def scores(tp: int, fp: int, fn: int) -> Dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": tp + fn, "found": tp + fp}


def entity_scores(pairs: List[Tuple[Counter, Counter]]) -> Dict[str, Any]:
    """pairs: (expected spans, predicted spans) per message → per-entity scores and their macro F1."""
    counts: Dict[str, Counter] = {}
    for expected, predicted in pairs:
        for span in set(expected) | set(predicted):
            hit = min(expected[span], predicted[span])
            entity = counts.setdefault(span[0], Counter())
            entity["tp"] += hit
            entity["fn"] += expected[span] - hit
            entity["fp"] += predicted[span] - hit
    per_entity = {name: scores(c["tp"], c["fp"], c["fn"]) for name, c in sorted(counts.items())}
    counted = [s for s in per_entity.values() if s["support"]]
    macro = sum(s["f1"] for s in counted) / len(counted) if counted else 0.0
    total = Counter()
    for c in counts.values():
        total.update(c)
    return {"entities": per_entity, "macro_f1": round(macro, 4),
            "micro": scores(total["tp"], total["fp"], total["fn"])}


def intent_macro_f1(expected: List[str], predicted: List[str]) -> float:
    from sklearn.metrics import f1_score

    labels = sorted(set(expected) | set(predicted))
    return round(float(f1_score(expected, predicted, labels=labels, average="macro", zero_division=0)), 4)


async def _parse_all(model: Path, texts: List[str]) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def evaluate(model: Path, split_folder: Path) -> Dict[str, Any]:
    from rasa.shared.nlu.training_data.loading import load_data

    languages = sorted(p.name for p in split_folder.iterdir() if (p / "test_data.yml").exists())
    examples = {lang: [m for m in load_data(str(split_folder / lang / "test_data.yml")).intent_examples]
                for lang in languages}
    texts = [m.get("text") for lang in languages for m in examples[lang]]
    parsed = iter(asyncio.run(_parse_all(model, texts)))
    result: Dict[str, Any] = {}
    for lang in languages:
        pairs, expected_intents, predicted_intents = [], [], []
        for message in examples[lang]:
            parse = next(parsed)
            pairs.append((spans(message.get("entities") or []), spans(parse.get("entities") or [])))
            expected_intents.append(message.get("intent"))
            predicted_intents.append((parse.get("intent") or {}).get("name") or "")
        result[lang] = {"examples": len(pairs), "intent_macro_f1": intent_macro_f1(expected_intents, predicted_intents),
                        **entity_scores(pairs)}
    return result


def main(argv: List[str]) -> int:
    model, folder, out = Path(argv[0]), Path(argv[1]), Path(argv[2])
    out.write_text(json.dumps(evaluate(model, folder), indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
