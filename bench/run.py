"""`make bench`: Haven's measured targets, each side by side with a baseline from the same run.

1. Language identification on two labelled sets (bench/data/langid.tsv, 720 messages, and
   langid_holdout.tsv, 400 messages written separately and never used to tune the detector): short
   messages of 1-3 words and sentences in English, French, Arabic and languages Haven does not speak
   (labelled "other"). Haven's detector (bot.language) against plain langdetect. Target: on short
   messages, at most a third of langdetect's error rate, on both sets. Also the time per message.
2. Intent classification per language on a held-out split never used in training: each data/nlu/<lang>/
   is split 80/20 (fixed seed), one NLU model is trained on all the 80 % parts with config.yml and
   `rasa test nlu` scores each language's 20 %. Target: macro-F1 >= 0.90 in every language.
   On the same model and split, entity precision/recall/F1 per entity type and language (bench.held_out).
3. Training: Haven's full `rasa train` and the stock `rasa init` bot's, each from an empty cache (bench.speed).
   Target: Haven in at most 5 minutes.
4. Turns: Haven (as `make run` serves it) and the stock bot under the same bounded loopback load
   (bench.load): one user, then 20 at once. Targets: one user p50 <= 1.5x stock; 20 users p95 <= 2x stock;
   20 users throughput >= 0.5x stock.
5. Arabizi and SMS French (bench.romanised, bench/data/romanised.tsv, written apart from the training data):
   language identification per dialect against plain langdetect, and intent accuracy of the trained model.
   Reported, no target yet.
6. Safety: the safety matrix (tests/conversations/safety.yml: every safety rule in English, French and
   Arabic dialects, as a first message, mid-conversation and inside a questionnaire) held against Haven as
   `make run` serves it. Reported as "safety conversations passed N/N" per language. Target: all.
7. Everyday conversations (tests/conversations/everyday/: people with several facts at once, who is where,
   typed answers, context, follow-ups on results, greetings, Arabizi and SMS French, written apart from the
   training data) held against Haven as `make run` serves it. Reported as the task-success rate per language
   (a conversation succeeds when every turn does) and per style. Target: at least 90 % in each language.

    make bench                      everything
    python -m bench.run --only turns,training   some parts (langid, intents, training, turns, romanised, safety,
                                                conversations)

Writes reports/bench.json and prints a summary; exits 1 when a target is missed."""
from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
SHORT_TARGET_RATIO = 1 / 3
F1_TARGET = 0.90
TRAINING_TARGET_SECONDS = 300
P50_TARGET_RATIO = 1.5
P95_TARGET_RATIO = 2.0
THROUGHPUT_TARGET_RATIO = 0.5
TASK_SUCCESS_TARGET = 0.90
PARTS = ("langid", "intents", "training", "turns", "romanised", "safety", "conversations")


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
    from bench.held_out import evaluate
    from scripts.nlu_report import held_out_evaluation

    evaluation = held_out_evaluation(out, plots=False)
    result: Dict[str, object] = {"nlu_training_seconds": evaluation["nlu_training_seconds"]}
    for language, scores in evaluation["languages"].items():
        result[language] = {key: scores[key] for key in ("macro_f1", "accuracy", "test_examples")}
    result["entities"] = evaluate(out / "held-out.tar.gz", out / "split")
    return result


def bench_training(out: Path) -> Dict[str, object]:
    from bench.speed import ratio, stock_project, train_from_empty_cache

    log = out / "training.log"
    haven_seconds, haven_model = train_from_empty_cache(ROOT, out, "haven", log)
    stock_seconds, stock_model = train_from_empty_cache(stock_project(out), out, "stock", log)
    return {"haven_seconds": round(haven_seconds, 1), "stock_seconds": round(stock_seconds, 1),
            "ratio": ratio(haven_seconds, stock_seconds), "haven_model": str(haven_model),
            "stock_model": str(stock_model)}


def bench_turns(out: Path, models: Dict[str, str]) -> Dict[str, object]:
    import os

    from bench.speed import MANY_USERS, haven_turns, ratio, stock_project, stock_turns
    from scripts.train_if_changed import train_if_changed

    haven_model = Path(models.get("haven_model") or train_if_changed(ROOT))
    stock_model = models.get("stock_model")
    (out / "turns").mkdir(parents=True, exist_ok=True)
    stock = stock_project(out / "turns")
    if not stock_model:
        from bench.speed import train_from_empty_cache

        _, stock_path = train_from_empty_cache(stock, out, "stock", out / "training.log")
        stock_model = str(stock_path)
    directory_url = os.environ.get("HAVEN_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'directory.db'}")
    stock_results = stock_turns(Path(stock_model), stock, out / "stock-rasa.log")
    haven_results = haven_turns(haven_model, out / "turns", directory_url)
    many = f"{MANY_USERS}_users"
    return {
        "haven": {phase: r.summary() for phase, r in haven_results.items()},
        "stock": {phase: r.summary() for phase, r in stock_results.items()},
        "ratios": {
            "one_user_p50": ratio(haven_results["one_user"].percentile(50), stock_results["one_user"].percentile(50)),
            f"{many}_p95": ratio(haven_results[many].percentile(95), stock_results[many].percentile(95)),
            f"{many}_throughput": ratio(haven_results[many].throughput, stock_results[many].throughput)}}


def bench_romanised(models: Dict[str, str]) -> Dict[str, object]:
    from bench.romanised import evaluate
    from scripts.train_if_changed import train_if_changed

    return evaluate(Path(models.get("haven_model") or train_if_changed(ROOT)))


def bench_safety(out: Path, models: Dict[str, str]) -> Dict[str, object]:
    """The safety matrix against a running stack: passed / held per language, and what failed."""
    import os
    import uuid

    from scripts.train_if_changed import train_if_changed
    from tests.conversations import safety_matrix
    from tests.e2e.stack import Stack

    model = Path(models.get("haven_model") or train_if_changed(ROOT))
    directory_url = os.environ.get("HAVEN_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'directory.db'}")
    (out / "safety").mkdir(parents=True, exist_ok=True)
    stack = Stack(model=model, workdir=out / "safety", directory_url=directory_url)
    by_language: Dict[str, Dict[str, int]] = {}
    failed: List[Dict[str, object]] = []
    try:
        stack.start_actions()
        stack.start_rasa()
        for conversation in safety_matrix.load():
            outcome = safety_matrix.hold(stack, conversation, f"bench-safety-{uuid.uuid4().hex[:10]}")
            counts = by_language.setdefault(conversation.language, {"passed": 0, "held": 0})
            counts["held"] += 1
            counts["passed"] += outcome.passed
            if not outcome.passed:
                failed.append({"name": conversation.name, "problems": outcome.problems,
                               "transcript": outcome.transcript})
    finally:
        stack.stop_all()
    return {"by_language": by_language, "failed": failed}


def bench_conversations(out: Path, models: Dict[str, str]) -> Dict[str, object]:
    """The everyday conversations (tests/conversations/everyday/) against a running stack: the task-success
    rate per language (a conversation succeeds when every turn does), and what failed."""
    import os

    from scripts.train_if_changed import train_if_changed
    from tests.conversations import everyday
    from tests.e2e.stack import Stack

    model = Path(models.get("haven_model") or train_if_changed(ROOT))
    directory_url = os.environ.get("HAVEN_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'directory.db'}")
    (out / "conversations").mkdir(parents=True, exist_ok=True)
    stack = Stack(model=model, workdir=out / "conversations", directory_url=directory_url)
    try:
        stack.start_actions()
        stack.start_rasa()
        every = everyday.centres()
        outcomes = [everyday.hold(stack, scenario, every=every) for scenario in everyday.load()]
    finally:
        stack.stop_all()
    by_style: Dict[str, Dict[str, int]] = {}
    for outcome in outcomes:
        counts = by_style.setdefault(f"{outcome.scenario.language} {outcome.scenario.style}",
                                     {"held": 0, "succeeded": 0})
        counts["held"] += 1
        counts["succeeded"] += outcome.passed
    return {"by_language": everyday.success_by_language(outcomes), "by_style": by_style,
            "failed": [{"name": o.scenario.name, "problems": o.problems, "transcript": o.transcript}
                       for o in outcomes if not o.passed]}


def parts_asked(argv: List[str]) -> Tuple[str, ...]:
    if "--langid-only" in argv:
        return ("langid",)
    if "--only" in argv:
        asked = tuple(argv[argv.index("--only") + 1].split(","))
        unknown = set(asked) - set(PARTS)
        if unknown:
            raise SystemExit(f"unknown parts {sorted(unknown)}; known: {', '.join(PARTS)}")
        return asked
    return PARTS


def targets_missed(report: Dict[str, object]) -> List[str]:
    missed: List[str] = []
    for name in LANGID_SETS:
        r = report.get(name, {}).get("short") if name in report else None
        if r is not None and (r["error_ratio"] is None or r["error_ratio"] > SHORT_TARGET_RATIO):
            missed.append(f"{name}: short-message error ratio {r['error_ratio']} > {SHORT_TARGET_RATIO:.2f}")
    for language, scores in report.get("intents", {}).items():
        if isinstance(scores, dict) and "macro_f1" in scores and scores["macro_f1"] < F1_TARGET:
            missed.append(f"intents {language}: macro-F1 {scores['macro_f1']} < {F1_TARGET}")
    training = report.get("training")
    if training and training["haven_seconds"] > TRAINING_TARGET_SECONDS:
        missed.append(f"training: {training['haven_seconds']} s > {TRAINING_TARGET_SECONDS} s")
    for language, counts in ((report.get("safety") or {}).get("by_language") or {}).items():
        if counts["passed"] < counts["held"]:
            missed.append(f"safety {language}: {counts['passed']}/{counts['held']} conversations passed")
    for language, counts in ((report.get("conversations") or {}).get("by_language") or {}).items():
        if counts["rate"] < TASK_SUCCESS_TARGET:
            missed.append(f"conversations {language}: task success {counts['rate']} < {TASK_SUCCESS_TARGET}")
    ratios = (report.get("turns") or {}).get("ratios", {})
    for key, value in ratios.items():
        if value is None:
            missed.append(f"turns {key}: not measured")
        elif key.endswith("throughput") and value < THROUGHPUT_TARGET_RATIO:
            missed.append(f"turns {key}: {value} < {THROUGHPUT_TARGET_RATIO}")
        elif key.endswith("p50") and value > P50_TARGET_RATIO:
            missed.append(f"turns {key}: {value} > {P50_TARGET_RATIO}")
        elif key.endswith("p95") and value > P95_TARGET_RATIO:
            missed.append(f"turns {key}: {value} > {P95_TARGET_RATIO}")
    return missed


def table(report: Dict[str, object]) -> str:
    rows = [("measure", "Haven", "stock / target", "ratio")]
    training = report.get("training")
    if training:
        rows.append(("full training, empty cache (s)", training["haven_seconds"], training["stock_seconds"],
                     training["ratio"]))
    turns = report.get("turns")
    if turns:
        many = [k for k in turns["haven"] if k != "one_user"][0]
        h, s = turns["haven"], turns["stock"]
        rows.append(("1 user, p50 (ms)", h["one_user"]["p50_ms"], s["one_user"]["p50_ms"],
                     turns["ratios"]["one_user_p50"]))
        rows.append((f"{many.replace('_', ' ')}, p95 (ms)", h[many]["p95_ms"], s[many]["p95_ms"],
                     turns["ratios"][f"{many}_p95"]))
        rows.append((f"{many.replace('_', ' ')}, turns/s", h[many]["throughput_per_s"],
                     s[many]["throughput_per_s"], turns["ratios"][f"{many}_throughput"]))
    entities = (report.get("intents") or {}).get("entities") or {}
    for language, scores in entities.items():
        micro = scores["micro"]
        rows.append((f"entities {language}: P / R / F1 (macro-F1)",
                     f"{micro['precision']:.3f} / {micro['recall']:.3f} / {micro['f1']:.3f}",
                     f"({scores['macro_f1']:.3f})", ""))
    romanised = report.get("romanised") or {}
    for dialect, scores in (romanised.get("language") or {}).items():
        intents = (romanised.get("intents") or {}).get(dialect, {})
        rows.append((f"{dialect}: language right / intent right", f"{scores['haven_accuracy']:.3f} / "
                     f"{intents.get('intent_accuracy', 0):.3f}", f"langdetect {scores['langdetect_accuracy']:.3f}",
                     ""))
    for dialect, scores in (romanised.get("language_holdout") or {}).items():
        rows.append((f"{dialect} (held out): language right", f"{scores['haven_accuracy']:.3f}",
                     f"langdetect {scores['langdetect_accuracy']:.3f}", ""))
    for language, counts in ((report.get("safety") or {}).get("by_language") or {}).items():
        rows.append((f"safety conversations passed, {language}", f"{counts['passed']}/{counts['held']}",
                     f"{counts['held']}/{counts['held']}", ""))
    for language, counts in ((report.get("conversations") or {}).get("by_language") or {}).items():
        rows.append((f"everyday conversations succeeded, {language}", f"{counts['succeeded']}/{counts['held']}",
                     f"target {TASK_SUCCESS_TARGET:.0%}", f"{counts['rate']:.0%}"))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in rows)


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parts = parts_asked(argv)
    out = ROOT / "reports" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    report: Dict[str, object] = {}
    if "langid" in parts:
        for name in LANGID_SETS:
            report[name] = result = bench_langid(name)
            for kind in ("short", "sentence"):
                r = result[kind]
                print(f"{name}, {kind} ({r['messages']}): Haven {r['haven_error_rate']:.1%} errors, langdetect "
                      f"{r['langdetect_error_rate']:.1%}: ratio {r['error_ratio']}; time ratio {r['time_ratio']}")
    if "intents" in parts:
        report["intents"] = bench_intents(out)
        for language, scores in report["intents"].items():
            if isinstance(scores, dict) and "macro_f1" in scores:
                print(f"intents, {language}: macro-F1 {scores['macro_f1']:.3f}, accuracy {scores['accuracy']:.3f} "
                      f"on {scores['test_examples']} held-out examples (target macro-F1 >= {F1_TARGET})")
    models: Dict[str, str] = {}
    if "training" in parts:
        report["training"] = bench_training(out)
        models = {k: v for k, v in report["training"].items() if k.endswith("_model")}
    if "turns" in parts:
        report["turns"] = bench_turns(out, models)
    if "romanised" in parts:
        report["romanised"] = bench_romanised(models)
    if "safety" in parts:
        report["safety"] = bench_safety(out, models)
        for language, counts in report["safety"]["by_language"].items():
            print(f"safety conversations passed, {language}: {counts['passed']}/{counts['held']}")
    if "conversations" in parts:
        report["conversations"] = bench_conversations(out, models)
        for language, counts in report["conversations"]["by_language"].items():
            print(f"everyday conversations succeeded, {language}: {counts['succeeded']}/{counts['held']}")
    (ROOT / "reports" / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(table(report))
    missed = targets_missed(report)
    for line in missed:
        print(f"MISSED: {line}")
    print("targets: " + ("MISSED" if missed else "met") + " (reports/bench.json)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
