"""Train the Rasa model only when what it is trained from changed.

The model is named after a hash of config.yml, domain.yml (without the wording of its responses),
data/ (nlu, stories, rules, languages), the custom NLU components in bot/ and requirements.lock, so an
unchanged project reuses models/haven-<hash>.tar.gz. Prints the model's path.

Not in the hash, so never a reason to train: the wording of responses, translations, the directory (the
entity extractor reads its names when the model is loaded), the hotline settings. When the hash changes,
`rasa train` reuses its cache (.rasa/cache) for every component whose own inputs did not change, and the
sentence featurizers embed only the examples no earlier training embedded (bot.embedding_cache)."""
from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: What training reads: the data, the configuration, the custom NLU components (not the channels or NLG) and
#: the pinned packages (a new Rasa, scikit-learn or sentence encoder can change the model).
INPUTS = ["config.yml", "domain.yml", "data/nlu", "data/stories", "data/rules", "data/languages.yml",
          "bot/language.py", "bot/language_detection.py", "bot/tokenization.py", "bot/normalise.py",
          "bot/encoders.py", "bot/embedding_cache.py", "bot/sentence_encoder.py", "bot/intent_classifier.py",
          "bot/logistic.py", "bot/entity_gazetteer.py", "bot/safety_components.py", "bot/language_policy.py",
          "bot/runtime_policy.py", "bot/service_request.py", "bot/facts_policy.py", "bot/follow_up_policy.py",
          "bot/rules_first.py", "bot/steps_follow_up_policy.py",
          "requirements.lock"]


def input_files(root: Path = ROOT) -> List[Path]:
    files: List[Path] = []
    for name in INPUTS:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return files


def learned_content(path: Path, root: Path = ROOT) -> bytes:
    """What training learns from a file. Of domain.yml, not the wording of the responses (only their names):
    the NLG reads the wording from domain.yml as it is now (bot.nlg), so rewording one needs no new model."""
    if path.resolve() != (root / "domain.yml").resolve():
        return path.read_bytes()
    domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    domain["responses"] = sorted(domain.get("responses") or {})
    return json.dumps(domain, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def fingerprint(files: Iterable[Path], root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(learned_content(path, root))
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return root / "models" / f"haven-{fingerprint(input_files(root), root)}.tar.gz"


def train_if_changed(root: Path = ROOT) -> Path:
    """Train unless the model for the current inputs exists. Concurrent callers (make run beside a test run)
    wait for each other on a lock file, so one trains and the others reuse its model."""
    (root / "models").mkdir(exist_ok=True)
    with (root / "models" / ".training.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _train_unless_present(root)


def _train_unless_present(root: Path) -> Path:
    target = model_path(root)
    if target.exists():
        print(f"Model is up to date: {target.relative_to(root)}", file=sys.stderr)
        return target
    print(f"Training {target.relative_to(root)} (data or config changed)...", file=sys.stderr)
    rasa = Path(sys.executable).parent / "rasa"
    subprocess.run([str(rasa), "train", "--fixed-model-name", target.name[: -len(".tar.gz")], "--out",
                    str(target.parent)], cwd=root, check=True)
    return target


if __name__ == "__main__":
    print(train_if_changed())
