"""`rasa data validate` with no warnings allowed, minus one known blind spot.

Rasa's validator warns that a response "is not used in any story or rule" when only a form
(utter_ask_<slot>) or a custom action uses it. Those warnings are dropped only when the response really is
used that way (a form slot of domain.yml, or its name appears in actions/, bot/, hotline/ or web/, or it is the
protection variant `<response>_protection` of a response that exists, said instead of it by bot.nlg once a
person fears harm at home); every other warning fails."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List, Set

import yaml

from bot.safety import PROTECTION_VARIANT

ROOT = Path(__file__).resolve().parents[1]
UNUSED = re.compile(r"The utterance '(utter_[\w]+)' is not used in any story or rule")
WARNING = re.compile(r"(UserWarning|FutureWarning|DeprecationWarning|WARNING)\b")


def responses_used_outside_stories(root: Path = ROOT) -> Set[str]:
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    used = {f"utter_ask_{slot}" for form in (domain.get("forms") or {}).values()
            for slot in form.get("required_slots", [])}
    code = "\n".join(p.read_text(encoding="utf-8") for package in ("actions", "bot", "hotline", "web")
                     for p in (root / package).rglob("*.py"))
    responses = domain.get("responses", {})
    used |= {name for name in responses if f'"{name}"' in code}
    used |= {name for name in responses
             if name.endswith(PROTECTION_VARIANT) and name[: -len(PROTECTION_VARIANT)] in responses}
    return used


def problems(output: str, allowed: Set[str]) -> List[str]:
    found = []
    for line in output.splitlines():
        unused = UNUSED.search(line)
        if unused and unused.group(1) in allowed:
            continue
        if "rasa/shared/utils/io.py" in line or unused or "UserWarning" in line:
            found.append(line.strip())
    return found


def validate(root: Path = ROOT) -> List[str]:
    """`rasa data validate` on the training data and the test stories; its problems, one per line."""
    rasa = Path(sys.executable).parent / "rasa"
    run = subprocess.run([str(rasa), "data", "validate", "--fail-on-warnings", "--data", "data",
                          "tests/test_stories.yml"], cwd=root, capture_output=True, text=True)
    output = run.stdout + run.stderr
    bad = problems(output, responses_used_outside_stories(root))
    if run.returncode != 0 and not bad:
        errors = [line.strip() for line in output.splitlines() if "ERROR" in line or "Error" in line]
        bad = errors[-10:] or [output[-2000:]]
    return bad


def main() -> int:
    bad = validate()
    for line in bad:
        print(f"data validation: {line}", file=sys.stderr)
    if bad:
        print("rasa data validate: FAILED", file=sys.stderr)
        return 1
    print("rasa data validate: no warnings (responses used only by forms and actions excepted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
