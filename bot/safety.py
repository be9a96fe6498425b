"""Haven's safety rules, in one place: which messages are about danger, confinement or fear of going back,
and what Haven does next, at every turn of a conversation.

The rules themselves (the words, per language, and the action each leads to) are data in
data/safety/rules.yml; docs/SAFETY.md has the table. Two thin Rasa components (bot/safety_components.py)
apply this module at every turn:

* `SafetyDetector` (NLU, after the intent classifier): a message that matches a rule is taken as that
  rule's intent whatever the classifier thought, and the rule's id is written into the parse data
  (`safety`). The classifier still catches wordings the rules miss.
* `SafetyPolicy` (dialogue, above every other policy): right after the person writes, a safety intent leads
  to its action even inside a questionnaire (the form is not asked to validate first: its question would be
  the wrong answer), and while an urgent case is open every message gets the urgent follow-up, never "I
  didn't understand" nor unrelated content. After a safety action Haven listens.

The rules file is re-read when it changes, so an editor's new words work without retraining."""
from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.normalise import fold_letters, normalise

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
#: The slot that is true while an urgent case is open (set by the urgent actions, cleared when the person
#: says they are safe or a hotline agent takes over).
URGENT_CASE_SLOT = "urgent_case"
#: The slot that is true once the person said they fear harm at home: no return questionnaire is offered.
PROTECTION_SLOT = "protection_route"
#: The intent of the fear-of-return rule (its `denied_by` lifts the protection route).
FEAR_INTENT = "fear_of_return"
#: Where the detector writes the rule that matched.
SAFETY_KEY = "safety"
URGENT_FOLLOWUP_ACTION = "action_urgent_followup"
#: From this classifier confidence a rule's `yields_to` intents keep the message.
YIELD_CONFIDENCE = 0.6
#: Intents answered by their own rules even while an urgent case is open.
PASS_THROUGH_INTENTS = frozenset({"choose_language", "request_human"})
#: ... and those answered by their own rules only when meant (a button pressed, or said twice): "I delete now"
#: from someone locked in means the chat on the phone, and erasing the case would lose the hotline's request
#: (the urgent answer explains and asks to say it again).
CONFIRMED_INTENTS = frozenset({"forget_me"})


def rules_path() -> Path:
    return Path(os.environ.get("HAVEN_SAFETY_RULES") or ROOT / "data" / "safety" / "rules.yml")


def _whole_words(pattern: str) -> "re.Pattern[str]":
    """A pattern of the rules file matching whole words; its letters folded like the message's (an editor
    who writes ى or é still matches)."""
    return re.compile(rf"(?<!\w)(?:{fold_letters(pattern)})(?!\w)")


@dataclass(frozen=True)
class Pattern:
    """Every part must match somewhere in the message (one part for a plain pattern)."""

    parts: Tuple["re.Pattern[str]", ...]
    unless: Tuple["re.Pattern[str]", ...] = ()

    def matches(self, text: str) -> bool:
        return all(part.search(text) for part in self.parts) and not any(u.search(text) for u in self.unless)


@dataclass(frozen=True)
class Rule:
    id: str
    action: str
    intent: Optional[str] = None
    only_in_urgent_case: bool = False
    patterns: Tuple[Pattern, ...] = ()
    unless: Tuple[Pattern, ...] = ()
    yields_to: frozenset = frozenset()
    min_classifier_confidence: float = 0.0
    #: The person says the opposite ("I'm not afraid of going back"): neither a pattern nor the classifier
    #: takes the message for this rule.
    denied_by: Tuple[Pattern, ...] = ()

    def matches(self, normalised_text: str) -> bool:
        return (any(p.matches(normalised_text) for p in self.patterns)
                and not any(p.matches(normalised_text) for p in self.unless) and not self.denied(normalised_text))

    def denied(self, normalised_text: str) -> bool:
        return any(p.matches(normalised_text) for p in self.denied_by)


def _pattern(entry: Any) -> Pattern:
    if not isinstance(entry, dict):
        return Pattern((_whole_words(str(entry)),))
    return Pattern(tuple(_whole_words(str(part)) for part in entry["all"]),
                   tuple(_whole_words(str(part)) for part in entry.get("unless") or []))


@dataclass(frozen=True)
class SafetyRules:
    rules: Tuple[Rule, ...] = field(default_factory=tuple)
    #: While an urgent case is open: questions Haven answers too (intent -> action), before the urgent answer.
    also_answer: Dict[str, str] = field(default_factory=dict)
    #: While an urgent case is open: messages that ask what to do now (the safety guidance is repeated).
    what_to_do: Tuple[Pattern, ...] = ()

    @classmethod
    def parse(cls, data: Dict[str, Any]) -> "SafetyRules":
        """Raises ValueError or re.error on a malformed file (make check-content reports it)."""
        rules = []
        for raw in data.get("safety_rules") or []:
            if not raw.get("id") or not raw.get("action") or not raw.get("patterns"):
                raise ValueError(f"safety rule {raw.get('id')!r} needs an id, an action and patterns")
            rules.append(Rule(
                id=str(raw["id"]), action=str(raw["action"]), intent=raw.get("intent"),
                only_in_urgent_case=bool(raw.get("only_in_urgent_case")),
                patterns=tuple(_pattern(p) for p in raw["patterns"]),
                unless=tuple(_pattern(p) for p in raw.get("unless") or []),
                yields_to=frozenset(raw.get("yields_to") or []),
                min_classifier_confidence=float(raw.get("min_classifier_confidence") or 0.0),
                denied_by=tuple(_pattern(p) for p in raw.get("denied_by") or [])))
        urgent = data.get("urgent_case") or {}
        return cls(tuple(rules), {str(k): str(v) for k, v in (urgent.get("also_answer") or {}).items()},
                   tuple(_pattern(p) for p in urgent.get("what_to_do") or []))

    def asks_what_to_do(self, text: str) -> bool:
        normalised = normalise(text or "")
        return any(p.matches(normalised) for p in self.what_to_do)

    @classmethod
    def load(cls, path: Optional[Path] = None) -> "SafetyRules":
        return cls.parse(yaml.safe_load((path or rules_path()).read_text(encoding="utf-8")) or {})

    def matching(self, text: str, classified: Optional[Dict[str, Any]] = None) -> List[Rule]:
        """The rules the message matches, in the file's order, leaving out a rule that yields to the intent the
        classifier is sure of (`classified`: its {name, confidence})."""
        normalised = normalise(text or "")
        classified = classified or {}
        name, confidence = classified.get("name"), float(classified.get("confidence") or 0)
        own = self.for_intent(name)  # a rule's intent is "sure" only from that rule's own threshold
        sure_of = name if confidence >= max(YIELD_CONFIDENCE, own.min_classifier_confidence if own else 0) else None
        return [rule for rule in self.rules if rule.matches(normalised) and sure_of not in rule.yields_to]

    def match(self, text: str, classified: Optional[Dict[str, Any]] = None) -> Optional[Rule]:
        """The first rule the message matches (see `matching`)."""
        found = self.matching(text, classified)
        return found[0] if found else None

    def doubtful(self, classified: Optional[Dict[str, Any]], text: str = "") -> bool:
        """The classifier alone guessed a rule's intent with less confidence than the rule asks for, or the
        message denies it ("no, I'm not afraid of going back")."""
        rule = self.for_intent((classified or {}).get("name"))
        if rule is None:
            return False
        return float((classified or {}).get("confidence") or 0) < rule.min_classifier_confidence \
            or rule.denied(normalise(text or ""))

    def denies_fear(self, text: str) -> bool:
        """The person says they are not afraid of going back (the `denied_by` of the fear rule)."""
        fear = self.for_intent(FEAR_INTENT)
        return fear is not None and fear.denied(normalise(text or ""))

    def by_id(self, rule_id: Optional[str]) -> Optional[Rule]:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def for_intent(self, intent: Optional[str]) -> Optional[Rule]:
        return next((rule for rule in self.rules if intent and rule.intent == intent), None)

    @property
    def actions(self) -> frozenset:
        return frozenset({rule.action for rule in self.rules} | {URGENT_FOLLOWUP_ACTION})


class _LiveRules:
    """The rules file, re-read when its modification time changes (an editor's change is live at once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: Optional[Tuple[str, float]] = None
        self._rules = SafetyRules()

    def get(self) -> SafetyRules:
        path = rules_path()
        stamp = (str(path), path.stat().st_mtime)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        self._rules, self._stamp = SafetyRules.load(path), stamp
                    except (ValueError, re.error, yaml.YAMLError) as error:  # keep the last good rules
                        logger.error("The safety rules in %s are invalid, the previous ones stay: %s", path, error)
                        if self._stamp is None:
                            raise
        return self._rules


live_rules = _LiveRules()


# --- What happens next: plain logic, tested without Rasa -------------------------------------------------

def next_action(this_turn: Optional[Sequence[str]], matched: Sequence[Rule], intent: Optional[str],
                urgent_case_open: bool, rules: SafetyRules, deliberate: bool = False) -> Optional[str]:
    """The action the safety rules require now, or None to let the other policies decide.

    `this_turn`: the actions run since the person's latest message (None before any message); `matched`: the
    rules that message matched, in the file's order (the first that applies decides); `deliberate`: the
    message is a button's payload or says again what the previous one said (a confirmation)."""
    if this_turn is None:
        return None
    if this_turn:
        latest = this_turn[-1]
        if latest in rules.actions:
            return "action_listen"
        if urgent_case_open and latest == rules.also_answer.get(intent or ""):
            return URGENT_FOLLOWUP_ACTION  # their question answered; the urgent answer follows
        return None
    rule = next((r for r in matched if urgent_case_open or not r.only_in_urgent_case), None)
    if rule is not None:
        return rule.action
    if urgent_case_open:  # the classifier alone does not take anyone off the urgent path
        if intent in PASS_THROUGH_INTENTS or (intent in CONFIRMED_INTENTS and deliberate):
            return None
        return rules.also_answer.get(intent or "") or URGENT_FOLLOWUP_ACTION
    by_intent = rules.for_intent(intent)
    return by_intent.action if by_intent is not None else None


#: A response with this suffix replaces the plain one once the protection route was given (no embassy).
PROTECTION_VARIANT = "_protection"
#: Wage avenues that go through the person's own state (data/directory/wage_avenues.yml kinds): not offered
#: once the protection route was given.
OWN_STATE_AVENUES = frozenset({"embassy_labour_attache"})
#: Buttons that offer return: dropped once the protection route was given (the person may still ask).
RETURN_OFFERS = ("/request_return", "/ask_return_steps")


def protected_response(name: str, protection_route: bool, known: Any) -> str:
    """The response to say: its protection variant when there is one and the person fears harm at home."""
    variant = name + PROTECTION_VARIANT
    return variant if protection_route and variant in known else name


def without_return_offers(message: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The message without buttons that offer return."""
    if not message or not message.get("buttons"):
        return message
    kept = [b for b in message["buttons"] if not str(b.get("payload") or "").startswith(RETURN_OFFERS)]
    return {**message, "buttons": kept}


def rules_problems(path: Path, domain: Dict[str, Any]) -> List[str]:
    """`make check-content`: the rules file parses, every pattern compiles, every action and intent it names
    is in domain.yml (a dict as read from the file)."""
    try:
        rules = SafetyRules.load(path)
    except (ValueError, KeyError, TypeError, re.error, yaml.YAMLError) as error:
        return [f"{path}: {type(error).__name__}: {error}"]
    actions, intents = set(domain.get("actions") or []), set(domain.get("intents") or [])
    found = []
    for rule in rules.rules:
        if rule.action not in actions:
            found.append(f"{path}: rule {rule.id}: action {rule.action} is not in domain.yml")
        for intent in ([rule.intent] if rule.intent else []) + sorted(rule.yields_to):
            if intent not in intents:
                found.append(f"{path}: rule {rule.id}: intent {intent} is not in domain.yml")
    if URGENT_FOLLOWUP_ACTION not in actions:
        found.append(f"domain.yml: {URGENT_FOLLOWUP_ACTION} is missing")
    responses = set(domain.get("responses") or {})
    for intent, action in rules.also_answer.items():
        if intent not in intents:
            found.append(f"{path}: urgent_case.also_answer: intent {intent} is not in domain.yml")
        if action not in actions and action not in responses:
            found.append(f"{path}: urgent_case.also_answer: {action} is not an action or response of domain.yml")
    return found


def guidance_problems(path: Path, languages: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(problems, notices) of the safety guidance file: every situation has English; a missing translation
    or a guidance the operator has not reviewed yet is a notice, not a failure."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        return [f"{path}: {type(error).__name__}: {error}"], []
    problems, notices = [], []
    for situation in ("danger", "confinement"):
        texts = data.get(situation) or {}
        if not texts.get("en"):
            problems.append(f"{path}: {situation} has no English guidance")
        notices += [f"{path}: {situation} has no {language} guidance (English is shown)"
                    for language in languages if language != "en" and not texts.get(language)]
    if not data.get("reviewed_by"):
        notices.append(f"{path}: awaiting the hotline operator's review (set reviewed_by and reviewed_on)")
    return problems, notices
