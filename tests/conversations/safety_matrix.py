"""The safety matrix (tests/conversations/safety.yml): whole conversations held against the real stack, each
safety rule x language x position (first message, mid-conversation, inside a form), and what every answer
must be. Used by tests/e2e/test_safety_matrix.py and by `make bench` ("safety conversations passed").

Checks read what Haven did in the turn (the actions in the stored conversation) and what it said, so they do
not depend on a response's exact wording."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
MATRIX = Path(__file__).resolve().parent / "safety.yml"
HOST_COUNTRIES = ("LY", "EG", "TN", "LB", "JO")
EMBASSY = re.compile(r"embass|ambassade|سفار", re.IGNORECASE)
#: Actions that are never an answer on the urgent path.
OFF_THE_URGENT_PATH = {"action_low_confidence", "action_default_fallback", "action_return_steps",
                       "eligibility_form", "wage_form", "utter_rephrase",
                       "action_eligibility_result"}
URGENT_ANSWERS = {"action_urgent_followup", "action_emergency", "action_report_exploitation", "action_request_human"}


@dataclass
class Turn:
    user: str
    expect: Optional[str] = None
    country: Optional[str] = None


@dataclass
class Conversation:
    name: str
    rule: str
    language: str
    position: str
    turns: List[Turn]
    dialect: Optional[str] = None
    hotline: Optional[str] = None


def load(path: Path = MATRIX) -> List[Conversation]:
    conversations = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
        turns = [Turn(t["user"], t.get("expect"), t.get("country")) for t in raw["turns"]]
        conversations.append(Conversation(raw["name"], raw["rule"], raw["language"], raw["position"], turns,
                                          raw.get("dialect"), raw.get("hotline")))
    return conversations


def _directory_csv(name: str) -> List[Dict[str, str]]:
    with (ROOT / "data" / "directory" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def country_names() -> Dict[str, List[str]]:
    return {row["code"]: [row["name_en"], row["name_fr"], row["name_ar"]] for row in _directory_csv("countries.csv")}


def emergency_numbers() -> Dict[str, List[str]]:
    numbers: Dict[str, List[str]] = {}
    for row in _directory_csv("emergency_numbers.csv"):
        numbers.setdefault(row["country"], []).append(row["number"])
    return numbers


@dataclass
class TurnResult:
    """What Haven said and did in answer to one message."""

    messages: List[Dict[str, Any]]
    actions: List[str]
    slots: Dict[str, Any]
    active_loop: Optional[str]

    @property
    def text(self) -> str:
        parts = []
        for message in self.messages:
            parts.append(message.get("text") or "")
            parts += [b.get("title", "") for b in message.get("buttons") or []]
        return "\n".join(parts)


def turn_actions(events: Sequence[Dict[str, Any]]) -> List[str]:
    """The actions Haven ran after the last user message."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return [e["name"] for e in events[last_user + 1:]
            if e.get("event") == "action" and e.get("name") != "action_listen"]


def _mentions_number(text: str, number: str) -> bool:
    return re.search(rf"(?<![\d+]){re.escape(number)}(?!\d)", text) is not None


def check(turn: Turn, result: TurnResult) -> List[str]:
    """What is wrong with Haven's answer to `turn` (nothing when it is right)."""
    problems: List[str] = []
    if not result.text.strip():
        problems.append("no answer")
    if turn.expect is None:
        return problems
    actions, slots = set(result.actions), result.slots
    if turn.expect == "protection":
        if "action_protection" not in actions:
            problems.append(f"no protection route (actions {result.actions})")
        if EMBASSY.search(result.text):
            problems.append("sends someone who fears their own state to an embassy")
        after = result.actions[result.actions.index("action_protection") + 1:] if "action_protection" in actions else []
        if result.active_loop or any(a.endswith("_form") for a in after):
            problems.append("a questionnaire goes on")
        if not slots.get("protection_route"):
            problems.append("protection_route not remembered")
    elif turn.expect == "emergency":
        if "action_emergency" not in actions and "action_urgent_followup" not in actions:
            problems.append(f"no emergency answer (actions {result.actions})")
        if slots.get("handoff_priority") != "urgent" or not slots.get("urgent_case"):
            problems.append("no urgent handoff / urgent case")
        if turn.country:
            numbers = emergency_numbers()
            own = numbers.get(turn.country, [])
            if own and not any(_mentions_number(result.text, n) for n in own):
                problems.append(f"the emergency numbers of {turn.country} are missing")
            others = [n for code in HOST_COUNTRIES if code != turn.country for n in numbers.get(code, [])
                      if n not in own]
            numbers_message = (result.messages[0].get("text") or "") if result.messages else ""
            if any(_mentions_number(numbers_message, n) for n in others):
                problems.append("numbers of other countries although the country is known")
    elif turn.expect == "urgent":
        if not actions & URGENT_ANSWERS:
            problems.append(f"not answered on the urgent path (actions {result.actions})")
        if actions & OFF_THE_URGENT_PATH:
            problems.append(f"off the urgent path: {sorted(actions & OFF_THE_URGENT_PATH)}")
        if not slots.get("urgent_case"):
            problems.append("the urgent case was closed")
    elif turn.expect == "exploitation":
        if "action_report_exploitation" not in actions:
            problems.append(f"no exploitation answer (actions {result.actions})")
        if slots.get("handoff_priority") != "urgent":
            problems.append("no urgent handoff")
    elif turn.expect == "closed":
        if "action_urgent_closed" not in actions or slots.get("urgent_case"):
            problems.append(f"the person said they are safe but the urgent case stays open (actions {result.actions})")
        if "action_emergency" in actions:
            problems.append("a new emergency was opened")
    elif turn.expect == "not_urgent":
        if actions & {"action_emergency", "action_report_exploitation"} or slots.get("urgent_case"):
            problems.append(f"taken for an emergency (actions {result.actions})")
    elif turn.expect == "hotline_hours":
        names = country_names()
        if not {"action_request_human", "action_emergency", "action_report_exploitation",
                "action_urgent_followup", "action_hotline_hours"} & actions:
            problems.append(f"neither a person asked for nor the hours told (actions {result.actions})")
        if turn.country and not any(name in result.text for name in names.get(turn.country, [])):
            problems.append(f"the hours are not told in the time of {turn.country}")
        if turn.country != "LY" and any(name + " time" in result.text or "بتوقيت " + name in result.text
                                        or "heure de " + name in result.text for name in names["LY"]):
            problems.append("the hours are told in Libya's time")
    else:
        problems.append(f"unknown expectation {turn.expect!r}")
    return problems


@dataclass
class Outcome:
    conversation: Conversation
    problems: List[str] = field(default_factory=list)
    transcript: List[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def take_turn(stack: Any, sender: str, text: str) -> Tuple[TurnResult, Dict[str, Any]]:
    """Send one message and read what Haven said and did (and the stored conversation after it)."""
    messages = stack.send(sender, text)
    tracker = stack.tracker(sender)
    return TurnResult(messages, turn_actions(tracker.get("events") or []), tracker.get("slots") or {},
                      (tracker.get("active_loop") or {}).get("name")), tracker


def hold(stack: Any, conversation: Conversation, sender: str) -> Outcome:
    """Hold the whole conversation against a running stack (tests.e2e.stack.Stack)."""
    outcome = Outcome(conversation)
    closed = conversation.hotline == "closed"
    if closed:
        stack.set_hotline_open(False)
    try:
        for number, turn in enumerate(conversation.turns, 1):
            result, _ = take_turn(stack, sender, turn.user)
            outcome.transcript += [f"> {turn.user}", *(f"< {line}" for line in result.text.splitlines()),
                                   f"  [{', '.join(result.actions)}]"]
            outcome.problems += [f"turn {number} ({turn.user[:40]!r}): {p}" for p in check(turn, result)]
    finally:
        if closed:
            stack.set_hotline_open(True)
    return outcome
