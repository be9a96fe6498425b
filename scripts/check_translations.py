"""`make check-translations`: every catalogue in data/translations/ against the English of domain.yml.

Reports, naming file and key: a missing or extra response, a different number of variants or buttons, a
placeholder ({city}) that differs from the English one, a button payload that differs. Exit 1 on any."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.translations import ROOT, placeholders


def _texts(variant: Dict[str, Any]) -> List[str]:
    return [variant.get("text", "")] + [b.get("title", "") for b in variant.get("buttons", [])]


def problems_in(english: Dict[str, List[Dict[str, Any]]], translated: Any, name: str) -> List[str]:
    if not isinstance(translated, dict):
        return [f"{name}: the file must map response names to their variants"]
    found = [f"{name}: {key}: missing" for key in english if key not in translated]
    found += [f"{name}: {key}: not a response of domain.yml" for key in translated if key not in english]
    for key, variants in english.items():
        theirs = translated.get(key)
        if key not in translated:
            continue
        if not isinstance(theirs, list) or len(theirs) != len(variants):
            found.append(f"{name}: {key}: has {len(theirs) if isinstance(theirs, list) else 0} variant(s), "
                         f"English has {len(variants)}")
            continue
        for index, (ours, their) in enumerate(zip(variants, theirs), start=1):
            where = f"{name}: {key} (variant {index})"
            if not isinstance(their, dict):
                found.append(f"{where}: not a response variant")
                continue
            if placeholders(ours.get("text", "")) != placeholders(their.get("text", "")):
                found.append(f"{where}: text placeholders {placeholders(their.get('text', ''))} differ from the "
                             f"English {placeholders(ours.get('text', ''))}")
            if bool(ours.get("text")) != bool(their.get("text")):
                found.append(f"{where}: text is {'missing' if ours.get('text') else 'not in the English'}")
            our_buttons, their_buttons = ours.get("buttons", []), their.get("buttons", [])
            if len(our_buttons) != len(their_buttons):
                found.append(f"{where}: {len(their_buttons)} button(s), English has {len(our_buttons)}")
                continue
            for number, (a, b) in enumerate(zip(our_buttons, their_buttons), start=1):
                if a.get("payload") != b.get("payload"):
                    found.append(f"{where}: button {number} payload {b.get('payload')!r} differs from the English "
                                 f"{a.get('payload')!r}")
                if placeholders(a.get("title", "")) != placeholders(b.get("title", "")):
                    found.append(f"{where}: button {number} title placeholders differ from the English")
    return found


def check(root: Path = ROOT) -> List[str]:
    english = (yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}).get("responses", {})
    found: List[str] = []
    for path in sorted((root / "data" / "translations").glob("*.yml")):
        name = str(path.relative_to(root))
        try:
            translated = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            found.append(f"{name}: not valid YAML: {error}")
            continue
        found += problems_in(english, translated, name)
    return found


def main() -> int:
    found = check()
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(f"check-translations: {len(found)} problem(s)", file=sys.stderr)
        return 1
    print("check-translations: every catalogue matches domain.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
