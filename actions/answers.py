"""Reading form answers from what people type: options and their keywords come from the database."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Mapping, Optional, Sequence, Tuple

from actions.gazetteer import normalise

Options = Mapping[str, Sequence[str]]


#: Keywords and leave words are few and read on every answer: normalised once.
_normalised = lru_cache(maxsize=8192)(normalise)


#: Arabic writes "and" and "so" joined to the next word ("وماعندهش فلوس", "ومش خايف"): an Arabic phrase of at
#: least JOINED_PREFIX_MIN_LETTERS letters is found with one of them in front too, and a negation word with one
#: of them before it is still a negation word.
JOINED_CONJUNCTIONS = ("و", "ف")
JOINED_PREFIX_MIN_LETTERS = 3


@lru_cache(maxsize=8192)
def _whole_words(phrase: str) -> "re.Pattern[str]":
    """The phrase, normalised, as whole words (an Arabic one also with a joined "and" / "so" before it)."""
    normalised = _normalised(phrase)
    arabic = "\u0600" <= normalised[:1] <= "\u06ff"
    long_enough = len(normalised) >= JOINED_PREFIX_MIN_LETTERS
    joined = f"(?:[{''.join(JOINED_CONJUNCTIONS)}])?" if arabic and long_enough else ""
    return re.compile(rf"(?<!\w){joined}{re.escape(normalised)}(?!\w)")


def _contains(text: str, keyword: str) -> bool:
    return _whole_words(keyword).search(text) is not None


def match_option(text: str, options: Options) -> Optional[str]:
    """The option whose keyword appears in the text (the longest keyword wins), or None."""
    found = match_options(text, options)
    return found[0] if found else None


def match_options(text: str, options: Options, names_are_keywords: bool = True) -> List[str]:
    """Every option named in the text, the one with the longest matching keyword first. An option's own
    name ("lost_job") is one of its keywords unless `names_are_keywords` is false (a yes/no question's
    options are "yes" and "no", words that say nothing inside a longer answer: "I have no papers")."""
    normalised = normalise(text)
    if normalised in options:
        return [normalised]
    scored = []
    for value, keywords in options.items():
        names = [value.replace("_", " ")] if names_are_keywords else []
        lengths = [len(k) for k in [*names, *keywords] if _contains(normalised, k)]
        if lengths:
            scored.append((max(lengths), value))
    return [value for _, value in sorted(scored, key=lambda p: -p[0])]


def own_answer(text: str, question_answers: Options, negations: Sequence[str] = ()) -> Optional[bool]:
    """A yes/no question's own answers anywhere in the text, the longest first ("jpeu pa payer" to "are
    you unable to pay?" is yes, "no, I have no money" too); None if none is there. An answer right after a
    negation word says the opposite ("لا ما خايف", "not afraid" is a no; "ومش معايا فلوس", "I don't have
    money" to "are you unable to pay?" is a yes)."""
    normalised = normalise(text)
    found = match_options(text, question_answers, names_are_keywords=False)
    if not found:
        return None
    answer = found[0] == "yes"
    if negations and _negated(normalised, question_answers.get(found[0], ()), negations):
        return not answer
    return answer


def _negated(normalised: str, keywords: Sequence[str], negations: Sequence[str]) -> bool:
    """Whether the longest keyword found in the text comes right after a negation word."""
    present = [k for k in keywords if _normalised(k) and _contains(normalised, k)]
    if not present:
        return False
    keyword = max(present, key=lambda k: len(_normalised(k)))
    negation_words = {_normalised(n) for n in negations}
    if set(_normalised(keyword).split()) & negation_words:
        return False  # "ما عندي فلوس", "no money" already say no to something: a "yes" as they stand
    match = _whole_words(keyword).search(normalised)
    before = normalised[:match.start()].split() if match else []
    if not before:
        return False
    word = before[-1]
    return word in negation_words or (word[:1] in JOINED_CONJUNCTIONS and word[1:] in negation_words)


def opening_yes_or_no(text: str, general: Options) -> Optional[bool]:
    """A general yes or no word the answer starts with ("aywa ...", "no, I can pay"), never one inside it
    ("I have no papers"); None if it starts with neither."""
    normalised = normalise(text)
    opening = [(len(_normalised(k)), value) for value in ("yes", "no") for k in (value, *general.get(value, ()))
               if _normalised(k) and (normalised == _normalised(k) or normalised.startswith(_normalised(k) + " "))]
    return max(opening)[1] == "yes" if opening else None


def unsure(text: str, general: Options) -> bool:
    """The answer says the person does not know ("I don't know", "jsp", "ما بعرف"): neither yes nor no."""
    return bool(match_options(text, {"unsure": general.get("unsure", ())}, names_are_keywords=False))


def vulnerabilities_from(text: str, options: Options) -> Optional[List[str]]:
    """A list of vulnerabilities; ["none"] or ["skipped"] when the person says so; None if unreadable."""
    found = match_options(text, options)
    if not found:
        return None
    real = [v for v in found if v not in ("none", "skipped")]
    if real:
        return sorted(real)
    return [found[0]]


def _without(text: str, phrases: Sequence[str]) -> Tuple[str, bool]:
    """`text` with every whole-word occurrence of `phrases` removed (longest first), and whether any was."""
    found = False
    for phrase in sorted({p for p in phrases if _normalised(p)}, key=lambda p: len(_normalised(p)), reverse=True):
        text, count = _whole_words(phrase).subn(" ", text)
        found = found or count > 0
    return text, found


def means_leaving(text: str, words: Options) -> bool:
    """Whether a message asks to leave the questions: a leave word ("stop", "laisse tomber", "خلاص") with at
    most polite filler around it ("ok stop please"). Anything more ("he stopped paying me", "خلاص مشيت" = "I
    already left") is an answer or a question, never a reason to drop what the person started."""
    rest, found = _without(normalise(text), words.get("leave", []))
    if not found:
        return False
    rest, _ = _without(rest, words.get("filler", []))
    return not rest.strip()
