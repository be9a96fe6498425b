"""The everyday conversations (tests/conversations/everyday/) against the real stack.

Each is held once per test session. Every turn of every conversation must get an answer in the person's
language and script (a hard rule); the share of conversations that fully succeed must not fall below what
tests/conversations/everyday_floor.yml records per language (raised as Haven gets better; `make bench`
reports the rate against the 90 % target)."""
from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from tests.conversations import everyday
from tests.conversations.everyday import Outcome

SCENARIOS = everyday.load()
FLOOR = Path(everyday.SCENARIOS).parent / "everyday_floor.yml"
ROOT = Path(__file__).resolve().parents[2]
LANGUAGE_PROBLEMS = ("no answer", "not answered in Arabic script", "answered in Arabic script", "conversation language")


@pytest.fixture(scope="module")
def outcomes(stack) -> Dict[str, Outcome]:
    every = everyday.centres()
    return {s.name: everyday.hold(stack, s, f"everyday-{uuid.uuid4().hex[:10]}", every) for s in SCENARIOS}


def test_the_scenarios_cover_the_people_of_issue_21() -> None:
    assert len(SCENARIOS) >= 80 and len({s.name for s in SCENARIOS}) == len(SCENARIOS)
    by_language = {language: [s for s in SCENARIOS if s.language == language] for language in everyday.LANGUAGES}
    assert all(len(found) >= 25 for found in by_language.values())
    styles = {s.style for s in by_language["ar"]}
    assert {"arabizi_egyptian", "arabizi_levantine", "arabizi_maghrebi", "arabizi_sudanese"} <= styles
    assert len(styles - {"standard"}) >= 8  # dialects and Arabizi styles
    assert sum(s.style == "sms" for s in by_language["fr"]) >= 10


def test_no_scenario_is_in_the_training_data() -> None:
    trained = set()
    for path in (ROOT / "data").rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = re.sub(r"\[([^\]]*)\]\{[^}]*\}|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or m.group(2),
                          line.strip().lstrip("- ").strip())
            if text:
                trained.add(text.lower())
    # Stock phrases of two or three words ("thank you sir", "papiers perdus") are everybody's; a message of
    # four words or more found word for word in the training data was copied.
    copied = [t.user for s in SCENARIOS for t in s.turns if len(t.user.split()) >= 4 and t.user.lower() in trained]
    assert not copied


def test_every_turn_is_answered_in_the_persons_language(outcomes) -> None:
    wrong: List[str] = [f"{name}: {p}" for name, outcome in outcomes.items() for p in outcome.problems
                        if any(kind in p for kind in LANGUAGE_PROBLEMS)]
    assert not wrong, "\n".join(wrong)


def test_task_success_does_not_fall(outcomes) -> None:
    floor = yaml.safe_load(FLOOR.read_text(encoding="utf-8"))
    rates = everyday.success_by_language(list(outcomes.values()))
    report = []
    for language, counts in rates.items():
        if counts["succeeded"] < floor[language]:
            failed = [o for o in outcomes.values() if o.scenario.language == language and not o.passed]
            report.append(f"{language}: {counts['succeeded']}/{counts['held']} succeeded, floor {floor[language]}")
            report += [f"  {o.scenario.name}: {o.problems[0]}" for o in failed]
    assert not report, "\n".join(report)
