"""Intent accuracy on a held-out split never used in training.

Splits data/nlu/ (80/20, fixed seed) with `rasa data split nlu`, trains an NLU-only model on the 80 %
with config.yml, evaluates the 20 % with `rasa test nlu` and prints accuracy and macro-F1
(reports in reports/nlu-eval/)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "rasa"), *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def main() -> int:
    out = ROOT / "reports" / "nlu-eval"
    split = out / "split"
    out.mkdir(parents=True, exist_ok=True)
    run("data", "split", "nlu", "--nlu", "data/nlu", "--training-fraction", "0.8", "--random-seed", "7",
        "--out", str(split))
    started = time.monotonic()
    run("train", "nlu", "--nlu", str(split / "training_data.yml"), "--config", "config.yml", "--out", str(out),
        "--fixed-model-name", "held-out")
    trained = time.monotonic() - started
    run("test", "nlu", "--nlu", str(split / "test_data.yml"), "--model", str(out / "held-out.tar.gz"),
        "--out", str(out / "results"), "--no-plot")
    report = json.loads((out / "results" / "intent_report.json").read_text())
    summary = {"accuracy": round(report["accuracy"], 4), "macro_f1": round(report["macro avg"]["f1-score"], 4),
               "test_examples": report["macro avg"]["support"], "nlu_training_seconds": round(trained, 1)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
