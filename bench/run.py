"""`make bench`: Haven's measured targets, each side by side with a baseline from the same run.

1. Language identification on two labelled sets (bench/data/langid.tsv, 720 messages, and
   langid_holdout.tsv, 400 messages written separately and never used to tune the detector): short
   messages of 1-3 words and sentences in English, French, Arabic and languages Haven does not speak
   (labelled "other"). Haven's detector (bot.language) against plain langdetect. Target: on short
   messages, at most a third of langdetect's error rate, on both sets. Also the time per message.
2. Intent classification per language on a held-out split never used in training: each data/nlu/<lang>/
   is split 80/20 (fixed seed), one NLU model is trained on all the 80 % parts with config.yml and
   `rasa test nlu` scores each language's 20 %. Target: macro-F1 >= 0.90 in every language.

Writes reports/bench.json and prints a summary; exits 1 when a target is missed."""
from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
SHORT_TARGET_RATIO = 1 / 3
F1_TARGET = 0.90


LANGID_SETS = {"langid": "langid.tsv", "langid_holdout": "langid_holdout.tsv"}


def langid_rows(name: str = "langid") -> List[Dict[str, str]]:
    with (ROOT / "bench" / "data" / LANGID_SETS[name]).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def error_rate(rows: List[Dict[str, str]], predict: Callable[[str], str]) -> Tuple[float, float]:
    """(error rate, microseconds per message)."""
    started = time.perf_counter()
    wrong = sum(predict(r["text"]) != r["label"] for r in rows)
    elapsed = time.perf_counter() - started
    return wrong / len(rows), elapsed / len(rows) * 1e6


def bench_langid(name: str = "langid") -> Dict[str, object]:
    from bot.language import default_identifier, plain_langdetect

    identifier = default_identifier()
    supported = identifier.settings.codes
    rows = langid_rows(name)
    identifier.detect("warm up"), plain_langdetect("warm up", supported)
    result: Dict[str, object] = {}
    for kind in ("short", "sentence"):
        subset = [r for r in rows if r["kind"] == kind]
        haven, haven_us = error_rate(subset, lambda t: identifier.detect(t).language)
        plain, plain_us = error_rate(subset, lambda t: plain_langdetect(t, supported))
        result[kind] = {
            "messages": len(subset), "haven_error_rate": round(haven, 4), "langdetect_error_rate": round(plain, 4),
            "error_ratio": round(haven / plain, 4) if plain else None,
            "haven_us_per_message": round(haven_us, 1), "langdetect_us_per_message": round(plain_us, 1),
            "time_ratio": round(haven_us / plain_us, 3) if plain_us else None,
        }
    return result


def bench_intents(out: Path) -> Dict[str, object]:
    from scripts.nlu_report import held_out_evaluation

    evaluation = held_out_evaluation(out, plots=False)
    result: Dict[str, object] = {"nlu_training_seconds": evaluation["nlu_training_seconds"]}
    for language, scores in evaluation["languages"].items():
        result[language] = {key: scores[key] for key in ("macro_f1", "accuracy", "test_examples")}
    return result


def main() -> int:
    out = ROOT / "reports" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    report: Dict[str, object] = {}
    for name in LANGID_SETS:
        report[name] = result = bench_langid(name)
        for kind in ("short", "sentence"):
            r = result[kind]
            print(f"{name}, {kind} ({r['messages']}): Haven {r['haven_error_rate']:.1%} errors, langdetect "
                  f"{r['langdetect_error_rate']:.1%}: ratio {r['error_ratio']}; time ratio {r['time_ratio']}")
    short = report["langid"]["short"]
    holdout_short = report["langid_holdout"]["short"]
    if "--langid-only" not in sys.argv:
        report["intents"] = bench_intents(out)
        for language, scores in report["intents"].items():
            if isinstance(scores, dict):
                print(f"intents, {language}: macro-F1 {scores['macro_f1']:.3f}, accuracy {scores['accuracy']:.3f} "
                      f"on {scores['test_examples']} held-out examples (target macro-F1 >= {F1_TARGET})")
    (ROOT / "reports" / "bench.json").write_text(json.dumps(report, indent=2))
    missed = any(r["error_ratio"] is None or r["error_ratio"] > SHORT_TARGET_RATIO for r in (short, holdout_short))
    missed |= any(isinstance(s, dict) and s["macro_f1"] < F1_TARGET for s in report.get("intents", {}).values())
    print("targets: " + ("MISSED" if missed else "met") + " (reports/bench.json)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
