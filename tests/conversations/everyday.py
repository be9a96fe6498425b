"""Everyday conversations (tests/conversations/everyday/*.yml): whole conversations written from the people of
issue 21 (several facts at once, who is where, typed answers, context, follow-ups, greetings, Arabizi, SMS
French), held against the real stack and checked turn by turn. A conversation succeeds when every turn does;
`make bench` reports the task-success rate per language, `make test` checks it does not fall.

The expectations speak of what a person needs ("asks: fear", "remembers: {origin: ML}", "answer: embassy"),
not of Haven's internals: this module maps them to the actions Haven ran, the slots it holds, the question it
asks and what it said. The scenarios were written without reading the training data and stay out of it."""
from __future__ import annotations

import argparse
import csv
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set

import yaml

from tests.conversations.safety_matrix import TurnResult, take_turn

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "everyday"
LANGUAGES = ("en", "fr", "ar")

#: The person's question names → the slot Haven asks for.
QUESTION_SLOTS = {"where": "host_country", "wants_return": "wants_return", "fear": "fears_persecution",
                  "means": "lacks_means", "situation": "situation", "vulnerability": "vulnerabilities",
                  "origin": "origin_country", "work_country": "work_country", "still_there": "still_in_country"}
#: Questions asked outside a form, by the response that asks them.
QUESTION_RESPONSES = {"place": {"utter_ask_place", "utter_txt_tell_town"}, "which_place": {"utter_which_place"},
                      "where": {"utter_which_country", "utter_txt_which_country"}}
#: What the person needs to be remembered → the slot and how to read it.
REMEMBERED_SLOTS = {"where_country": "host_country", "where_place": "person_place", "origin": "origin_country",
                    "nationality": "nationality", "lacks_means": "lacks_means",
                    "fears_persecution": "fears_persecution", "wants_return": "wants_return",
                    "service": "service_type", "still_there": "still_in_country", "work_country": "work_country"}
#: A stated fear of going back is remembered as the protection route (docs/SAFETY.md): the questionnaire's
#: own answer is cleared so that a return the person asks for later asks the question again.
FEAR_REMEMBERED = "protection_route"
FALLBACKS = {"action_low_confidence", "action_default_fallback", "utter_rephrase"}
#: Answers given by a response (any of these in the turn).
ANSWER_RESPONSES = {
    "documents": {"utter_lost_documents", "utter_lost_documents_protection", "action_lost_documents"},
    "evacuation": {"utter_evacuation", "utter_evacuation_protection"},
    "reintegration": {"utter_reintegration"}, "visa": {"utter_visa_status", "utter_visa_status_protection"},
    "family_tracing": {"utter_family_tracing"}, "privacy": {"utter_privacy"},
    "capabilities": {"utter_capabilities", "utter_capabilities_protection"},
    "greeting_menu": {"utter_greet", "utter_greet_protection"}, "goodbye": {"utter_goodbye", "utter_thank"},
    "confirm": {"utter_ask_facts_confirmed"},
}
#: Answers given by an action (any of these in the turn).
ANSWER_ACTIONS = {
    "eligibility_result": {"action_eligibility_result", "action_protection"},
    "return_steps": {"action_return_steps"}, "wages": {"action_wage_recovery", "wage_form"},
    "protection": {"action_protection", "utter_refer_protection"}, "emergency": {"action_emergency", "action_urgent_followup"},
    "exploitation": {"action_report_exploitation"}, "health": {"action_health", "action_find_centres"},
    "person": {"action_request_human", "action_emergency", "action_report_exploitation"},
    "hotline_hours": {"action_hotline_hours", "action_request_human"},
    "contact_details": {"action_centre_details"}, "safe_now": {"action_urgent_closed"}, "cash": {"action_cash_assistance", "utter_cash_assistance"}, "other_centres": {"action_find_centres", "action_centre_details"},
}
ARABIC = re.compile(r"[\u0600-\u06FF]")


@dataclass
class Turn:
    user: str
    expect: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    language: str
    style: str
    person: str
    turns: List[Turn]


def load(paths: Optional[Iterable[Path]] = None) -> List[Scenario]:
    scenarios = []
    for path in paths or sorted(SCENARIOS.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            turns = [Turn(str(t["user"]), dict(t.get("expect") or {})) for t in raw["turns"]]
            scenarios.append(Scenario(raw["name"], raw["language"], raw.get("style", "standard"),
                                      raw.get("person", ""), turns))
    return scenarios


# -- the directory, as the scenarios' writers knew it ---------------------------------------------------------
def _rows(name: str) -> List[Dict[str, str]]:
    with (ROOT / "data" / "directory" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Centre:
    id: str
    name: str
    country: str
    place: str
    services: frozenset
    nationals_of: str


def centres() -> List[Centre]:
    return [Centre(r["id"], r["name"], r["country"], r["place"], frozenset(r["services"].split("|")),
                   r.get("serves_nationals_of") or "") for r in _rows("centres.csv")]


def centres_named(text: str, every: Sequence[Centre]) -> List[Centre]:
    """The directory's centres whose names the answer gives, in the order they appear."""
    found = [(text.find(c.name), c) for c in every if c.name and c.name in text]
    return [c for _, c in sorted(found, key=lambda pair: pair[0])]


# -- one turn --------------------------------------------------------------------------------------------
@dataclass
class Context:
    """What earlier turns showed (for "another one", "their phone")."""

    shown: List[Centre] = field(default_factory=list)


def responses(events: Sequence[Dict[str, Any]]) -> List[str]:
    """The responses Haven used after the last user message (Rasa writes each one's name in the event)."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    names = []
    for event in events[last_user + 1:]:
        if event.get("event") == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                names.append(name)
    return names


def asked(result: TurnResult, said: Sequence[str], language: str = "en") -> Set[str]:
    """The questions (person's names) Haven asks at the end of this turn: a question response it used, or a
    question's text inside a longer answer an action wrote (the town asked for under the emergency numbers)."""
    from actions.texts import t

    questions = set()
    requested = result.slots.get("requested_slot")
    if result.active_loop and requested:
        questions |= {name for name, slot in QUESTION_SLOTS.items() if slot == requested}
    for name, names in QUESTION_RESPONSES.items():
        if set(said) & names or any(key.startswith("utter_txt_") and t(key, language) in result.text
                                    for key in names):
            questions.add(name)
    return questions


def _same(expected: Any, held: Any, key: str) -> bool:
    if key == "pregnant":
        return "pregnancy" in (held or [])
    if isinstance(expected, bool):
        return held is expected
    return str(held or "").lower() == str(expected).lower()


def check(turn: Turn, result: TurnResult, said: Sequence[str], language: str, context: Context,
          every: Sequence[Centre]) -> List[str]:
    """What is wrong with Haven's answer to `turn` (nothing when it is right)."""
    problems: List[str] = []
    text = result.text
    if not text.strip():
        problems.append("no answer")
    if language == "ar" and text.strip() and not ARABIC.search(text):
        problems.append("not answered in Arabic script")
    if language != "ar" and ARABIC.search(text):
        problems.append("answered in Arabic script")
    if result.slots.get("language") not in (None, language):
        problems.append(f"conversation language is {result.slots.get('language')}, not {language}")
    expect = turn.expect
    actions = set(result.actions) | set(said)
    questions = asked(result, said, language)
    shown = centres_named(text, every)

    if "asks" in expect and expect["asks"] not in questions:
        problems.append(f"does not ask {expect['asks']} (asks {sorted(questions) or 'nothing'})")
    for question in expect.get("not_asked") or []:
        if question in questions:
            problems.append(f"asks {question} again")
    for key, value in (expect.get("remembers") or {}).items():
        slot = "vulnerabilities" if key == "pregnant" else REMEMBERED_SLOTS.get(key)
        if key == "fears_persecution" and value is True:
            slot = FEAR_REMEMBERED
        if slot is None:
            problems.append(f"unknown fact {key}")
        elif not _same(value, result.slots.get(slot), key) and not (
                key == "service" and _same(value, (result.slots.get("last_search") or {}).get("service"), key)):
            # a service is remembered while Haven asks where, and after a search as what was searched for
            # (follow-ups such as "and in Misrata?" reuse it)
            problems.append(f"does not remember {key}={value} ({slot}={result.slots.get(slot)!r})")

    answer = expect.get("answer")
    if answer and actions & FALLBACKS:
        problems.append(f"did not understand ({sorted(actions & FALLBACKS)})")
    if answer == "centres" or (answer == "health" and expect.get("place")):
        problems += _centres_problems(expect, shown, result)
    elif answer == "embassy":
        problems += _embassy_problems(expect, shown)
    elif answer == "other_centres":
        honest_none = "action_centre_details" in actions and not shown  # "the directory has no other one"
        if not honest_none and (not shown or not set(shown) - set(context.shown)):
            problems.append("no other centre than those already shown")
    elif answer == "contact_details":
        if "action_centre_details" not in actions:
            problems.append(f"no details of the centres shown (actions {result.actions})")
    elif answer == "eligibility_question":
        if result.active_loop != "eligibility_form":
            problems.append("the return questionnaire is not going on")
    elif answer == "not_fallback":
        pass
    elif answer in ANSWER_RESPONSES:
        if not set(said) & ANSWER_RESPONSES[answer]:
            problems.append(f"no {answer} answer (said {said}, actions {result.actions})")
    elif answer in ANSWER_ACTIONS:
        if not actions & ANSWER_ACTIONS[answer]:
            problems.append(f"no {answer} answer (actions {result.actions})")
    elif answer:
        problems.append(f"unknown answer {answer!r}")
    if shown:
        context.shown = shown
    return problems


def _centres_problems(expect: Dict[str, Any], shown: List[Centre], result: TurnResult) -> List[str]:
    if not shown:
        return [f"no centre shown (actions {result.actions})"]
    problems = []
    place, service = expect.get("place"), expect.get("service")
    if place and not (shown[0].place == place or shown[0].country == place):
        problems.append(f"the nearest centre shown is in {shown[0].place}, not {place}")
    if service and service != "consular" and not any(service in c.services for c in shown):
        problems.append(f"no centre shown offers {service}")
    return problems


def _embassy_problems(expect: Dict[str, Any], shown: List[Centre]) -> List[str]:
    embassies = [c for c in shown if "consular" in c.services]
    if not embassies:
        return ["no embassy shown"]
    problems = []
    nationality, place = expect.get("nationality"), expect.get("place")
    if nationality and embassies[0].nationals_of != nationality:
        problems.append(f"the embassy shown is {embassies[0].name}, not of {nationality}")
    if place and not (embassies[0].place == place or embassies[0].country == place):
        problems.append(f"the embassy shown is in {embassies[0].place}, not {place}")
    return problems


# -- a whole conversation --------------------------------------------------------------------------------
@dataclass
class Outcome:
    scenario: Scenario
    problems: List[str] = field(default_factory=list)
    transcript: List[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def hold(stack: Any, scenario: Scenario, sender: Optional[str] = None,
         every: Optional[Sequence[Centre]] = None) -> Outcome:
    """Hold the whole conversation against a running stack (tests.e2e.stack.Stack)."""
    sender = sender or f"everyday-{uuid.uuid4().hex[:10]}"
    every = every if every is not None else centres()
    outcome, context = Outcome(scenario), Context()
    for number, turn in enumerate(scenario.turns, 1):
        result, tracker = take_turn(stack, sender, turn.user)
        said = responses(tracker.get("events") or [])
        outcome.transcript += [f"> {turn.user}", *(f"< {line}" for line in result.text.splitlines()),
                               f"  [{', '.join(result.actions)}] {said} "
                               f"intent={(tracker.get('latest_message') or {}).get('intent', {}).get('name')}"]
        problems = check(turn, result, said, scenario.language, context, every)
        outcome.problems += [f"turn {number} ({turn.user[:40]!r}): {p}" for p in problems]
    return outcome


def success_by_language(outcomes: Sequence[Outcome]) -> Dict[str, Dict[str, float]]:
    """Conversations held and succeeded per language, and the task-success rate."""
    rates: Dict[str, Dict[str, float]] = {}
    for outcome in outcomes:
        counts = rates.setdefault(outcome.scenario.language, {"held": 0, "succeeded": 0})
        counts["held"] += 1
        counts["succeeded"] += outcome.passed
    for counts in rates.values():
        counts["rate"] = round(counts["succeeded"] / counts["held"], 3)
    return rates


def main(argv: Optional[List[str]] = None) -> int:
    """Hold the scenarios against a stack started here, print what failed and the rates (a developer's tool)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these scenarios (prefixes)")
    parser.add_argument("--all-transcripts", action="store_true")
    args = parser.parse_args(argv)
    import tempfile

    from scripts.train_if_changed import train_if_changed
    from tests.e2e.stack import Stack

    model = train_if_changed(ROOT)
    import os
    directory_url = os.environ.get("HAVEN_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'directory.db'}")
    stack = Stack(model=model, workdir=Path(tempfile.mkdtemp(prefix="everyday-")), directory_url=directory_url)
    outcomes = []
    try:
        stack.start_actions()
        stack.start_rasa()
        every = centres()
        for scenario in load():
            if args.names and not any(scenario.name.startswith(n) for n in args.names):
                continue
            outcome = hold(stack, scenario, every=every)
            outcomes.append(outcome)
            if not outcome.passed or args.all_transcripts:
                print(f"\n=== {scenario.name} ({scenario.style}): {'ok' if outcome.passed else 'FAILED'}")
                print("\n".join(outcome.problems))
                print("\n".join(outcome.transcript))
    finally:
        stack.stop_all()
    print(success_by_language(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
