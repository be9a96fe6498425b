"""What a channel does to a user's text before Rasa sees it. Every input channel calls `prepare` (or its two
steps) on the text it got from its client, so the same rules hold for REST, socket.io and WhatsApp:

* `clean_text`: a text Rasa cannot process becomes one it can. A lone UTF-16 surrogate ("hi \\ud800", legal
  in a JSON string) cannot be encoded as UTF-8: the tokenizer and the tracker store fail on it and the user
  got silence. NULs and other control characters are invisible, mean nothing in a chat and upset storage and
  logs. Everything else (emoji, Arabic, combining marks, zero-width joiners) is left exactly as it is.
* `rounded_location`: a shared location is only used to find the nearest centres, for which ~1 km is plenty
  (2 decimals of a degree). The privacy page promises the exact position is not kept, yet the message text,
  its entities and Rasa's logs keep whatever reaches Rasa for the whole retention period, so the precision
  is removed here, before the message exists anywhere else.

Pure functions, no I/O.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

# --- clean_text -------------------------------------------------------------------------------------------

#: C0 controls except tab and newline (carriage returns are turned into newlines first), DEL, C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAK = re.compile(r"\r\n?")
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """`text` with nothing Rasa chokes on: a surrogate pair split into two code points is joined into its
    character, a lone surrogate becomes U+FFFD (the usual mark for "a character was lost here"), CR LF and
    CR become LF, and NUL and the other control characters except tab and newline are removed."""
    if _SURROGATE.search(text):
        # UTF-16 joins well-formed pairs back into one character and replaces each lone surrogate.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if "\r" in text:
        text = _LINE_BREAK.sub("\n", text)
    return _CONTROL.sub("", text)


# --- rounded_location -------------------------------------------------------------------------------------

#: Decimals kept: 0.01 degree is at most ~1.1 km, enough to rank centres, too coarse to find a house.
DECIMALS = 2
#: Rasa's own pattern for `/intent@confidence{entities}rest` (YAMLStoryReader._regex_message_pattern).
_RASA_PAYLOAD = re.compile(r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?(?P<entities>{.+})?(?P<rest>.*)")
_LOCATION_WORDS = re.compile(r"share_location|latitude|longitude", re.IGNORECASE)
#: Anything Python's float() reads as a number (what the action does with an entity value): any Unicode
#: decimal digits, `_` between digits, a fraction, an exponent. Signs are left where they are.
_DIGITS = r"\d(?:_?\d)*"
#: Already short enough (ASCII, at most DECIMALS decimals): left exactly as written.
_SHORT = re.compile(rf"[0-9]+(?:\.[0-9]{{0,{DECIMALS}}})?")
_NUMBER = re.compile(rf"(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][-+]?{_DIGITS})?")


def is_location_payload(text: str) -> bool:
    """A button-style payload (`/intent...`, what the widget and the WhatsApp channel send for a shared
    location) that is, or names, a location. Typed sentences are not touched: their numbers are the user's
    words (amounts, dates), not a position the device gave."""
    stripped = text.strip()
    return stripped.startswith("/") and bool(_LOCATION_WORDS.search(stripped))


def _rounded_number(token: str) -> str:
    """One number as text with at most DECIMALS decimals. Short ASCII numbers (`13`, `32.1`) stay as they
    are; numbers too large to be a coordinate keep their size (so the action still refuses them) but not
    their digits."""
    if _SHORT.fullmatch(token):
        return token
    value = float(token)
    if math.isinf(value):
        return "1e999"
    if abs(value) >= 1e6:
        return f"{value:.{DECIMALS}e}"
    return f"{round(value, DECIMALS) + 0.0:.{DECIMALS}f}"  # + 0.0: no "-0.00"


def _round_numbers_in_text(text: str) -> str:
    return _NUMBER.sub(lambda m: _rounded_number(m.group()), text)


def _round_values(value: Any) -> Any:
    """A decoded JSON value with every number, and every number written inside a string, rounded."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return round(value, DECIMALS) + 0.0 if math.isfinite(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return _round_numbers_in_text(value)
    if isinstance(value, list):
        return [_round_values(v) for v in value]
    if isinstance(value, dict):
        return {_round_numbers_in_text(str(k)): _round_values(v) for k, v in value.items()}
    return value


def rounded_location(text: str) -> str:
    """`text` with every number of a location payload rounded to 2 decimals, e.g.
    `/share_location{"latitude": 32.88765, "longitude": 13.19123}` ->
    `/share_location{"latitude": 32.89, "longitude": 13.19}`. Other texts are returned unchanged.

    The entities are decoded as Rasa decodes them, rounded (numbers, and numbers inside strings: the action
    accepts "32.88765" too) and written back as JSON; whatever is left (text around the JSON, JSON Rasa
    cannot read) has every number-like run rounded as text. Invalid payloads stay invalid, for the action to
    refuse, but no fraction of a degree beyond the second decimal survives in any form."""
    if not is_location_payload(text):
        return text
    stripped = text.strip()
    match = _RASA_PAYLOAD.match(stripped)
    if match and match.group("entities"):
        try:
            entities = json.loads(match.group("entities"))
            if isinstance(entities, dict):
                rebuilt = json.dumps(_round_values(entities), ensure_ascii=False)
                stripped = (f"/{match.group('intent')}{match.group('confidence') or ''}{rebuilt}"
                            f"{stripped[match.end('entities'):]}")
        except (ValueError, RecursionError):
            pass  # not JSON Rasa can use: the text pass below still removes the precision
    return _round_numbers_in_text(stripped)


def prepare(text: str) -> str:
    """What every channel passes to Rasa instead of the text it received."""
    return rounded_location(clean_text(text))
