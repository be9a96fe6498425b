"""Eligibility for assisted return: programmes' criteria are data (see data/directory/programmes.yml);
this module only evaluates them against the answers the form has collected so far."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, List, Mapping, Optional, Sequence

#: Answers to the vulnerabilities question that are not vulnerabilities.
NOT_VULNERABILITIES = {"none", "skipped"}


class Verdict(str, Enum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Criterion:
    key: str
    conditions: Sequence[Mapping[str, Any]]
    met: str
    unmet: str
    on_fail: Optional[str] = None


@dataclass(frozen=True)
class ProgrammeSpec:
    id: str
    name: str
    summary: str
    next_step: str
    source: str
    criteria: Sequence[Criterion]


@dataclass
class Assessment:
    programme: ProgrammeSpec
    verdict: Verdict
    reasons_met: List[str] = field(default_factory=list)
    reasons_unmet: List[str] = field(default_factory=list)
    refer_asylum: bool = False


def real_vulnerabilities(value: Any) -> List[str]:
    return [v for v in (value or []) if v not in NOT_VULNERABILITIES]


def _condition(condition: Mapping[str, Any], answers: Mapping[str, Any]) -> Optional[bool]:
    """True, False, or None while the field is unanswered."""
    value = answers.get(condition["field"])
    if value is None:
        return None
    op, expected = condition["op"], condition.get("value")
    if op == "known":
        return True
    if op == "is":
        return value == expected
    if op == "in":
        return value in (expected or [])
    if op == "not_empty":
        return bool(real_vulnerabilities(value) if isinstance(value, list) else value)
    raise ValueError(f"unknown operator {op!r}")


def _criterion(criterion: Criterion, answers: Mapping[str, Any]) -> Optional[bool]:
    results = [_condition(c, answers) for c in criterion.conditions]
    if any(r is True for r in results):
        return True
    if all(r is False for r in results):
        return False
    return None


def assess(programme: ProgrammeSpec, answers: Mapping[str, Any]) -> Assessment:
    assessment = Assessment(programme, Verdict.UNDECIDED)
    undecided = False
    for criterion in programme.criteria:
        result = _criterion(criterion, answers)
        if result is True:
            if any(c["op"] != "known" for c in criterion.conditions):  # "you told me X" explains nothing
                assessment.reasons_met.append(criterion.met)
        elif result is False:
            assessment.reasons_unmet.append(criterion.unmet)
            assessment.refer_asylum |= criterion.on_fail == "refer_asylum"
        else:
            undecided = True
    if assessment.reasons_unmet:
        assessment.verdict = Verdict.NOT_ELIGIBLE
    elif not undecided:
        assessment.verdict = Verdict.ELIGIBLE
    return assessment


def assess_all(programmes: Sequence[ProgrammeSpec], answers: Mapping[str, Any]) -> List[Assessment]:
    return [assess(p, answers) for p in programmes]


def fields_used(programmes: Sequence[ProgrammeSpec]) -> set:
    return {c["field"] for p in programmes for crit in p.criteria for c in crit.conditions}


#: Asked of everyone who may go back, whether or not a programme fits: fear of harm at home leads to protection
#: (DESIGN.md, "Safety and privacy"), never to a return.
SAFETY_QUESTION = "fears_persecution"


def questions_still_needed(
    programmes: Sequence[ProgrammeSpec], answers: Mapping[str, Any], order: Sequence[str]
) -> List[str]:
    """The form's remaining questions: only fields some still-possible programme needs, in `order`.

    Once every programme is ruled out (or someone fears persecution) nothing more is asked, except the
    safety question (SAFETY_QUESTION) of someone who is going back all the same: paying their own way,
    they may still be walking into harm.
    """
    assessments = assess_all(programmes, answers)
    if any(a.refer_asylum for a in assessments):
        return []
    open_programmes = [a.programme for a in assessments if a.verdict != Verdict.NOT_ELIGIBLE]
    needed = fields_used(open_programmes)
    if answers.get("wants_return") is not False:
        needed.add(SAFETY_QUESTION)
    return [f for f in order if f in needed and answers.get(f) is None]


def form_slots(programmes: Sequence[ProgrammeSpec], answers: Mapping[str, Any], order: Sequence[str]) -> List[str]:
    """The form's required slots now: what is already answered plus what is still needed, in `order`.

    (Rasa's form asks the first unanswered one; answered ones must stay listed so they are validated.)"""
    still_needed = set(questions_still_needed(programmes, answers, order))
    return [f for f in order if f in still_needed or answers.get(f) is not None]


@dataclass
class Outcome:
    """What the bot tells the person at the end of the form."""

    eligible: List[Assessment]
    not_eligible: List[Assessment]
    refer_asylum: bool


def outcome(programmes: Sequence[ProgrammeSpec], answers: Mapping[str, Any]) -> Outcome:
    assessments = assess_all(programmes, answers)
    return Outcome(
        eligible=[a for a in assessments if a.verdict == Verdict.ELIGIBLE],
        not_eligible=[a for a in assessments if a.verdict != Verdict.ELIGIBLE],
        refer_asylum=any(a.refer_asylum for a in assessments),
    )
