"""`make check-content`: every check an editor's change must pass before it is published, each problem
printed with its file (and line and field where known); exit 1 on any problem.

1. Rasa's data validation of the training data and the test stories (story and rule conflicts, unknown
   intents, actions or responses; no warnings allowed).
2. Translations against domain.yml (missing or extra keys, placeholders, button payloads).
3. The service directory (data/directory/): every row's fields, ids, references between files, ISO
   country codes, coordinates inside the country, phone numbers.
4. The hotline settings (data/hotline.yml) and the privacy settings (data/privacy.yml).
5. The safety rules (data/safety/rules.yml: every pattern compiles, every action and intent exists) and the
   safety guidance (data/safety/guidance.yml: English for each situation; guidance awaiting the operator's
   review is listed, not refused).
The test stories are also run against the trained model by `make test` and by `make publish`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, List, Tuple

ROOT = Path(__file__).resolve().parents[1]


def directory(root: Path) -> List[str]:
    from actions.directory.checks import directory_problems
    from actions.directory.load import DirectoryError, read_directory

    folder = root / "data" / "directory"
    try:
        loaded = read_directory(folder)
    except DirectoryError as error:
        return [str(p) for p in error.problems]
    return [str(p) for p in directory_problems(loaded, folder)]


def translations(root: Path) -> List[str]:
    from scripts.check_translations import check

    return check(root)


def rasa_data(root: Path) -> List[str]:
    from scripts.validate_data import validate

    return validate(root)


def hotline(root: Path) -> List[str]:
    from hotline.hours import Schedule

    path = root / "data" / "hotline.yml"
    try:
        Schedule.load(path)
    except Exception as error:  # any mistake in the file: say which file and what
        return [f"{path}: {type(error).__name__}: {error}"]
    return []


def privacy(root: Path) -> List[str]:
    from hotline.erasure import retention_days

    path = root / "data" / "privacy.yml"
    try:
        retention_days(path)
    except Exception as error:  # any mistake in the file: say which file and what
        return [f"{path}: {type(error).__name__}: {error}"]
    return []


def safety(root: Path) -> List[str]:
    import yaml

    from bot.language import load_settings
    from bot.safety import guidance_problems, rules_problems

    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    problems = rules_problems(root / "data" / "safety" / "rules.yml", domain)
    languages = load_settings(root / "data" / "languages.yml").codes
    guidance, notices = guidance_problems(root / "data" / "safety" / "guidance.yml", languages)
    for notice in notices:
        print(f"  note: {notice}", flush=True)
    return problems + guidance


CHECKS: List[Tuple[str, Callable[[Path], List[str]]]] = [
    ("directory", directory), ("translations", translations), ("hotline settings", hotline),
    ("privacy settings", privacy), ("safety rules", safety),
    ("training data and test stories", rasa_data),
]


def check_content(root: Path = ROOT) -> List[str]:
    found: List[str] = []
    for name, check in CHECKS:
        problems = check(root)
        print(f"  {name}: {'ok' if not problems else f'{len(problems)} problem(s)'}", flush=True)
        found += problems
    return found


def main(argv: List[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else ROOT
    print(f"Checking the content in {root}:")
    found = check_content(root)
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(f"check-content: {len(found)} problem(s); nothing was published.", file=sys.stderr)
        return 1
    print("check-content: no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
