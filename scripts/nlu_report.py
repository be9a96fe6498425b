"""`make nlu-report`: how well the model understands each language, on examples it never saw in training.

Each data/nlu/<lang>/ is split 80/20 (fixed seed); one NLU model is trained on all the 80 % parts with
config.yml; `rasa test nlu` scores each language's 20 %. Written to reports/nlu/:
  summary.md / summary.json          per-language macro-F1 and accuracy, per-intent precision/recall/F1,
                                     and the most confused intent pairs (with example messages)
  <lang>/intent_confusion_matrix.png the confusion-matrix picture
  <lang>/intent_report.json, intent_errors.json   Rasa's full reports
`make bench` uses the same evaluation for its intent target."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
MOST_CONFUSED = 10


def rasa(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "rasa"), *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def languages(root: Path = ROOT) -> List[str]:
    return sorted(p.name for p in (root / "data" / "nlu").iterdir() if p.is_dir())


def confused_pairs(errors: List[Dict[str, Any]], limit: int = MOST_CONFUSED) -> List[Dict[str, Any]]:
    """(expected, predicted) pairs by how often the model mixed them up, with one example each."""
    counts: Counter = Counter()
    examples: Dict[Tuple[str, str], str] = {}
    for error in errors:
        pair = (error["intent"], (error.get("intent_prediction") or {}).get("name") or "?")
        counts[pair] += 1
        examples.setdefault(pair, error.get("text", ""))
    return [{"expected": e, "predicted": p, "count": n, "example": examples[(e, p)]}
            for (e, p), n in counts.most_common(limit)]


def per_intent(report: Dict[str, Any]) -> Dict[str, Dict[str, float]]:
    return {intent: {"precision": round(v["precision"], 3), "recall": round(v["recall"], 3),
                     "f1": round(v["f1-score"], 3), "support": int(v["support"])}
            for intent, v in sorted(report.items())
            if isinstance(v, dict) and intent not in ("macro avg", "weighted avg", "micro avg")}


def split(language: str, out: Path) -> Path:
    """The language's examples split 80/20 with a fixed seed into out/training_data.yml and out/test_data.yml
    (`make intent-cv` cross-validates on the same training part, so this is the one place the split is made)."""
    rasa("data", "split", "nlu", "--nlu", f"data/nlu/{language}", "--training-fraction", "0.8",
         "--random-seed", "7", "--out", str(out))
    return out / "training_data.yml"


def held_out_evaluation(out: Path, plots: bool = True) -> Dict[str, Any]:
    """Split, train once on every language's training part, test each language's held-out part."""
    train_parts = out / "train"
    train_parts.mkdir(parents=True, exist_ok=True)
    for language in languages():
        (train_parts / f"{language}.yml").write_bytes(split(language, out / "split" / language).read_bytes())
    started = time.monotonic()
    rasa("train", "nlu", "--nlu", str(train_parts), "--config", "config.yml", "--out", str(out),
         "--fixed-model-name", "held-out")
    result: Dict[str, Any] = {"nlu_training_seconds": round(time.monotonic() - started, 1), "languages": {}}
    for language in languages():
        results = out / language
        rasa("test", "nlu", "--nlu", str(out / "split" / language / "test_data.yml"), "--model",
             str(out / "held-out.tar.gz"), "--out", str(results), *([] if plots else ["--no-plot"]))
        report = json.loads((results / "intent_report.json").read_text())
        errors_file = results / "intent_errors.json"
        errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
        result["languages"][language] = {
            "macro_f1": round(report["macro avg"]["f1-score"], 4), "accuracy": round(report["accuracy"], 4),
            "test_examples": int(report["macro avg"]["support"]), "intents": per_intent(report),
            "most_confused": confused_pairs(errors)}
    return result


def markdown(result: Dict[str, Any]) -> str:
    lines = ["# How well Haven understands each language", "",
             "Held-out 20 % of each language's examples, never used in training (`make nlu-report`).", "",
             "| language | macro-F1 | accuracy | held-out examples |", "| --- | --- | --- | --- |"]
    for language, scores in result["languages"].items():
        lines.append(f"| {language} | {scores['macro_f1']:.3f} | {scores['accuracy']:.3f} | {scores['test_examples']} |")
    for language, scores in result["languages"].items():
        lines += ["", f"## {language}", "", f"![confusion matrix]({language}/intent_confusion_matrix.png)", "",
                  "Most confused (expected → predicted, times, example):", ""]
        lines += [f"- {c['expected']} → {c['predicted']} ({c['count']}): “{c['example']}”"
                  for c in scores["most_confused"]] or ["- none"]
        lines += ["", "| intent | precision | recall | F1 | examples |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {intent} | {v['precision']} | {v['recall']} | {v['f1']} | {v['support']} |"
                  for intent, v in scores["intents"].items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    out = ROOT / "reports" / "nlu"
    out.mkdir(parents=True, exist_ok=True)
    result = held_out_evaluation(out)
    (out / "summary.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "summary.md").write_text(markdown(result), encoding="utf-8")
    for language, scores in result["languages"].items():
        worst = ", ".join(f"{c['expected']}→{c['predicted']} ({c['count']})" for c in scores["most_confused"][:3])
        print(f"{language}: macro-F1 {scores['macro_f1']:.3f}, accuracy {scores['accuracy']:.3f}; "
              f"most confused: {worst or 'none'}")
    print(f"Report: {out / 'summary.md'} (confusion matrices in {out}/<lang>/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
