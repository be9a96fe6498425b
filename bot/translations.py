"""The response catalogue: English responses from domain.yml, translations from data/translations/<lang>.yml
(keyed by response name, same shape as the domain's responses). Used by the NLG (bot.nlg), by the actions
for the texts they compose, and by `make check-translations`."""
from __future__ import annotations

import logging
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LANGUAGE = "en"
Responses = Dict[str, List[Dict[str, Any]]]


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w+)\}")


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Fill {name} placeholders; {{ and }} stand for braces; other braces (JSON payloads) stay as they are,
    and an unknown placeholder stays visible instead of raising."""

    def replace(match: "re.Match[str]") -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        return str(values[name]) if name in values else token

    return _PLACEHOLDER.sub(replace, template)


def placeholders(template: str) -> List[str]:
    return sorted({name for _, name, _, _ in string.Formatter().parse(template) if name})


@dataclass
class Catalogue:
    english: Responses
    translations: Dict[str, Responses]

    @classmethod
    def load(cls, root: Path = ROOT) -> "Catalogue":
        domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
        translations = {}
        for path in sorted((root / "data" / "translations").glob("*.yml")):
            translations[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(domain.get("responses") or {}, translations)

    @property
    def languages(self) -> List[str]:
        return [DEFAULT_LANGUAGE, *sorted(self.translations)]

    def translated(self, key: str, language: Optional[str]) -> Optional[List[Dict[str, Any]]]:
        if not language or language == DEFAULT_LANGUAGE:
            return self.english.get(key)
        return self.translations.get(language, {}).get(key) or None

    def variants(self, key: str, language: Optional[str]) -> List[Dict[str, Any]]:
        """The response's variants in `language`, falling back to English (and saying so in the log)."""
        translated = self.translated(key, language)
        if translated:
            return translated
        if key in self.english and language and language != DEFAULT_LANGUAGE:
            logger.info("No %s translation of %s: falling back to English.", language, key)
        return self.english.get(key, [])

    def responses(self, language: Optional[str]) -> Responses:
        """Every response in `language` where translated, English elsewhere (no logging: see variants)."""
        return {key: self.translated(key, language) or self.english[key] for key in self.english}

    def text(self, key: str, language: Optional[str], **values: Any) -> str:
        """The first variant's text, placeholders filled: for texts that actions compose."""
        variants = self.variants(key, language)
        if not variants:
            raise KeyError(f"no response {key!r} in domain.yml")
        return fill(variants[0].get("text", ""), values)

    def buttons(self, key: str, language: Optional[str], **values: Any) -> List[Dict[str, str]]:
        variants = self.variants(key, language)
        return [{"title": fill(b["title"], values), "payload": fill(b["payload"], values)}
                for b in (variants[0].get("buttons", []) if variants else [])]


def _source_files(root: Path = ROOT) -> Tuple[Tuple[str, int], ...]:
    files = [root / "domain.yml", *sorted((root / "data" / "translations").glob("*.yml"))]
    return tuple((str(path), path.stat().st_mtime_ns) for path in files if path.exists())


@lru_cache(maxsize=2)
def _catalogue(signature: Tuple[Tuple[str, int], ...]) -> Catalogue:
    return Catalogue.load()


def catalogue() -> Catalogue:
    """The catalogue, read again when domain.yml or a translation file changes (a publish), so the action
    server and the console never need a restart for new texts."""
    return _catalogue(_source_files())
