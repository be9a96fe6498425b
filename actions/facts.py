"""Who is where: the facts a free message gives, each place and country with its role.

People say several things at once ("I am in Tripoli Libya and I want to go back to Ghana"), and the same
country can be where they are or where they come from ("3ayez arga3 masr", said from Libya). A place's role
comes from the words just before it (or just after: "the philippine embassy"), the nearest cue winning:

* `where`: where the person is now ("in", "à", "fi", "في", the Arabic ب joined to the name);
* `return`: where they want to go back to ("back to", "rentrer au", "arga3", "ارجع"): their origin, and that
  they want to go back;
* `origin`: where they come from ("I am from", "je viens du", "ana min");
* `nationality`: whose embassy they need ("embassy of", "سفارة"), or a nationality word ("filipina",
  "guinéenne", "masri", form_questions.yml `nationality`);
* `not`: a place the person says they are not in ("I am in Libya, not Egypt"), or one they say is far or
  they cannot go to ("c tro loin zarzis", "tunis c loin", "jpeu pas aller a tunis"): the town of a centre
  just shown, named in a follow-up, is not where the person is.

Without a cue, a town or country of a host country is where the person is and any other is their origin; a
town the person's own words place them in wins over one named without a cue ("why tripoli? i am in
misrata").
The cue words are content (form_questions.yml, `place_roles`). Pure logic over the gazetteer."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from actions.answers import Options, match_options, own_answer
from actions.gazetteer import Gazetteer, Match
from actions.places import read_place
from bot.normalise import normalise

#: How many words before a name may hold its role's cue.
CUE_WINDOW = 4
#: Arabic one-letter prepositions written joined to the next word: ب (in), ل/لل (to).
ARABIC_JOINED = {"ب": "where", "ف": "where", "ل": "return"}
ROLES = ("not", "nationality", "return", "origin", "where")
#: Vulnerabilities taken from a free message ("je suis enceinte"); others ("old", "beaten") only as answers.
FREE_TEXT_VULNERABILITIES = {"pregnancy", "illness", "disability", "child"}


@dataclass(frozen=True)
class Mention:
    """A place or country named in the message, where it starts and ends."""

    text: str
    start: int
    end: int


@dataclass
class Facts:
    where_place: Optional[str] = None  # a place id
    where_country: Optional[str] = None  # ISO code
    origin: Optional[str] = None
    nationality: Optional[str] = None
    #: Places of the same name in several countries (Tripoli) where the person may be.
    ambiguous_where: Tuple[str, ...] = ()
    #: The roles the person's own words gave (not guessed from the kind of country).
    cued: FrozenSet[str] = frozenset()
    #: They said they want to go back there ("I want to go back to Ghana").
    returning: bool = False
    #: Names (normalised) of places the person says they are not in, or are far from.
    not_here: FrozenSet[str] = frozenset()

    def known(self) -> Dict[str, str]:
        return {k: v for k, v in (("where_place", self.where_place), ("where_country", self.where_country),
                                  ("origin", self.origin), ("nationality", self.nationality)) if v}


@lru_cache(maxsize=64)
def _normalised_phrases(phrases: Tuple[str, ...]) -> Tuple[Tuple[str, ...], ...]:
    """Each phrase as its normalised words (cue and nationality words are few and read on every message)."""
    return tuple(tuple(normalise(p).split()) for p in phrases)


def _frozen(options: Options, key: str) -> Tuple[str, ...]:
    return tuple(options.get(key, ()))


def _last_cue(before: str, cues: Options) -> Optional[Tuple[int, str]]:
    """The role whose cue ends nearest to the name (distance in words, role), within CUE_WINDOW words."""
    words = normalise(before).split()[-CUE_WINDOW:]
    best: Optional[Tuple[int, str]] = None
    for role in ROLES:
        for cue_words in _normalised_phrases(_frozen(cues, role)):
            if not cue_words:
                continue
            for end in range(len(words), len(cue_words) - 1, -1):
                if tuple(words[end - len(cue_words):end]) == cue_words:
                    distance = len(words) - end
                    if best is None or distance < best[0]:
                        best = (distance, role)
                    break
    return best


def role_of(text: str, mention: Mention, cues: Options) -> Optional[str]:
    """The role the words around `mention` give it, or None when they give none."""
    before, after = text[:mention.start], text[mention.end:]
    glued = re.search(r"(\w+)$", before)
    if glued and glued.group(1) in ARABIC_JOINED:  # "بعمان": the name begins after a joined preposition
        return ARABIC_JOINED[glued.group(1)]
    next_words = tuple(normalise(after).split()[:CUE_WINDOW])
    for role in ("not", "nationality"):
        if any(cue and next_words[:len(cue)] == cue for cue in _normalised_phrases(_frozen(cues, f"{role}_after"))):
            return role
    found = _last_cue(before, cues)
    return found[1] if found else None


def default_role(country_code: str, hosts: Iterable[str]) -> str:
    return "where" if country_code in hosts else "origin"


def _qualifies(text: str, town: "Mention", country: "Mention") -> bool:
    """Whether the country comes right after the town, with at most a comma between ("Tripoli, Libya")."""
    return town.end <= country.start and not text[town.end:country.start].strip(" ,،-–/()")


def read_facts(gazetteer: Gazetteer, text: str, mentions: Sequence[Mention], cues: Options,
               nationalities: Options, hosts: Iterable[str]) -> Facts:
    """Every place and country the message names, in its role, plus a nationality word."""
    hosts = set(hosts)
    facts = Facts()
    located: List[Tuple[str, Match, bool]] = []  # (role, match, cued) of towns and countries, in order
    cued = set()
    not_here = set()
    ambiguous: List[Match] = []
    named_countries = {m.entry.country_code for mention in mentions
                       for m in gazetteer.best(mention.text, kind="country")}
    nationality_words = {" ".join(w) for words in nationalities.values() for w in _normalised_phrases(tuple(words))}
    previous: Optional[Tuple[Mention, Optional[str], str]] = None  # the last town or country read: its role, kind
    for mention in mentions:
        if normalise(mention.text) in nationality_words:
            continue  # "ana masry", "filipina": a nationality (below), not a country the person is in
        query = read_place(gazetteer, mention.text, [mention.text])
        if not query.matches:
            continue
        kind = query.matches[0].entry.kind
        role = role_of(text, mention, cues)
        if previous and kind == "country" and previous[2] == "place" and _qualifies(text, previous[0], mention):
            role = previous[1]  # "tripoli libya", "Tripoli, Lebanon": the country of the town just named
        elif role == "nationality" and kind == "place":
            role = "where"  # "the embassy for Tripoli": a town is never a nationality
        previous = (mention, role, kind)
        if role == "not":
            not_here.add(normalise(mention.text))
            continue
        if role:
            cued.add(role)
        if query.ambiguous:
            settled = [m for m in query.matches if m.entry.country_code in named_countries]
            if len(settled) == 1:
                located.append((role or default_role(settled[0].entry.country_code, hosts), settled[0], bool(role)))
            elif role in (None, "where"):
                ambiguous = query.matches
            continue
        match = query.matches[0]
        said = bool(role)
        role = role or default_role(match.entry.country_code, hosts)
        if role == "where" and match.entry.country_code not in hosts:
            role = "origin"  # "rentrer chez moi au Mali", "back in Ethiopia": home, not where Haven's people are
        located.append((role, match, said))
    # Where the person's own words place them first, then what is only guessed from the kind of country.
    located.sort(key=lambda item: not item[2])
    for role, match, _ in located:
        code = match.entry.country_code
        if role == "where":
            if match.entry.kind == "place" and facts.where_place is None:
                facts.where_place, facts.where_country = match.entry.id, code
            elif facts.where_country is None or (facts.where_place is None and match.entry.kind == "country"):
                facts.where_country = code
        elif role in ("origin", "return"):
            if facts.origin is None or (role == "return" and not facts.returning):
                facts.origin = code  # where they want to go back to wins over where they come from
            facts.returning = facts.returning or role == "return"
        elif role == "nationality" and facts.nationality is None:
            facts.nationality = code
    if facts.where_place is None and ambiguous:
        in_country = [m for m in ambiguous if m.entry.country_code == facts.where_country]
        if len(in_country) == 1:
            facts.where_place = in_country[0].entry.id
        else:
            facts.ambiguous_where = tuple(m.entry.id for m in ambiguous)
    if facts.nationality is None:
        found = match_options(text, nationalities, names_are_keywords=False)
        facts.nationality = found[0] if found else None
    if facts.origin == facts.where_country:
        facts.origin = None  # "I am in Egypt ... Egypt": the same country is not where they want to go
    facts.cued = frozenset(cued)
    facts.not_here = frozenset(not_here)
    return facts


def mentions_of(entities: Sequence[Mapping[str, object]], text: str) -> List[Mention]:
    """The NLU's town and country entities as mentions (the words as written, where they are)."""
    found = []
    for entity in entities:
        if entity.get("entity") not in ("city", "country"):
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            found.append(Mention(text[start:end], start, end))
    return sorted(found, key=lambda m: m.start)


def free_text_answers(facts: Facts, text: str, requested: Optional[str], options: Callable[[str], Options]
                      ) -> Dict[str, Any]:
    """The form's answers a message gives besides the answer to the question asked (`requested`): where the
    person is, where they want to go back to, that they want to, cannot pay, are pregnant... When the message
    answers a country question, another country fills the other question only if the words say which it
    is ("Mali" to "where do you want to go back to?" is not where the person is)."""
    answering_country = requested in ("host_country", "origin_country")
    found: Dict[str, Any] = {}
    if facts.where_country and requested != "host_country" and (not answering_country or "where" in facts.cued):
        found["host_country"] = facts.where_country
    origin = facts.origin or (facts.nationality if not answering_country else None)
    if origin and origin != found.get("host_country") and requested != "origin_country" \
            and (not answering_country or facts.cued & {"origin", "return"}):
        found["origin_country"] = origin
    if facts.returning and requested != "wants_return":
        found["wants_return"] = True
    plain_yes_or_no = normalise(text) in ("yes", "no")  # answers the question asked, says nothing more
    for field in ("wants_return", "lacks_means"):
        answer = own_answer(text, options(field), options("yes_no").get("negation", ())) \
            if requested != field and not plain_yes_or_no else None
        if answer is not None:
            found[field] = answer
    fear = own_answer(text, options("fears_persecution"), options("yes_no").get("negation", ())) \
        if requested != "fears_persecution" and not plain_yes_or_no else None
    if fear is False:
        # "yes that's right, and I'm not afraid of going back": only a denial is taken in passing; a stated
        # fear is the safety rules' to answer (bot/safety.py, the protection route), never a form answer.
        found["fears_persecution"] = False
    if requested != "situation":
        situations = [s for s in match_options(text, options("situation"), names_are_keywords=False) if s != "other"]
        if situations:
            found["situation"] = situations[0]
    if requested != "vulnerabilities":
        real = sorted(set(match_options(text, options("vulnerabilities"))) & FREE_TEXT_VULNERABILITIES)
        if "child" in real and match_options(text, options("not_with_me"), names_are_keywords=False):
            real.remove("child")  # "my children are waiting for me": not with the person; the question asks
        if real:
            found["vulnerabilities"] = real
    return found
