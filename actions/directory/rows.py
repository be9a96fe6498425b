"""Row schemas of the directory files: each editor-facing row is checked here before anything is written."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

from pydantic import BaseModel, Field, root_validator, validator

ISO2 = r"^[A-Z]{2}$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"


def split_list(value: Any) -> List[str]:
    """CSV cells hold lists as `a|b|c`; an empty cell is an empty list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split("|") if part.strip()]


def blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and value.strip() == "" else value


LANGUAGE_CODE = r"^[a-z]{2}$"


def local_text(value: Any) -> Dict[str, str]:
    """Editor text: a plain string (English) or {en: ..., fr: ..., ar: ...}; English is required."""
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        raise ValueError("must be text, or a mapping from language code to text")
    cleaned = {}
    for language, text in value.items():
        if not isinstance(language, str) or len(language) != 2 or not language.islower():
            raise ValueError(f"{language!r} is not a two-letter language code")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the {language} text is empty")
        cleaned[language] = " ".join(text.split())
    if "en" not in cleaned:
        raise ValueError("the English text (en) is required")
    return cleaned


LocalText = Dict[str, str]


class Row(BaseModel):
    class Config:
        extra = "forbid"
        anystr_strip_whitespace = True


class NamedRow(Row):
    """A row with one name_<language> column per language (name_en required); read into `names`."""

    names: Dict[str, str]

    @root_validator(pre=True)
    def collect_names(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        names = {key[len("name_"):]: str(value).strip() for key, value in values.items()
                 if key.startswith("name_") and value is not None and str(value).strip()}
        others = {key: value for key, value in values.items() if not key.startswith("name_")}
        if "en" not in names:
            raise ValueError("name_en (the English name) is required")
        return {**others, "names": names}


class CountryRow(NamedRow):
    code: str = Field(..., regex=ISO2)
    role: str = Field(..., regex=r"^(host|origin)$")
    alt_names: List[str] = []
    # The country's bounding box, to catch swapped or mistyped coordinates of its places and centres.
    min_lat: Optional[float] = Field(None, ge=-90, le=90)
    min_lon: Optional[float] = Field(None, ge=-180, le=180)
    max_lat: Optional[float] = Field(None, ge=-90, le=90)
    max_lon: Optional[float] = Field(None, ge=-180, le=180)

    _lists = validator("alt_names", pre=True, allow_reuse=True)(split_list)
    _blank = validator("min_lat", "min_lon", "max_lat", "max_lon", pre=True, allow_reuse=True)(blank_to_none)

    @property
    def bounds(self) -> Optional[tuple]:
        box = (self.min_lat, self.min_lon, self.max_lat, self.max_lon)
        return None if any(v is None for v in box) else box


class PlaceRow(NamedRow):
    id: str = Field(..., regex=SLUG)
    country: str = Field(..., regex=ISO2)
    alt_names: List[str] = []
    latitude: float = Field(..., ge=-90, le=90)
    longitude: float = Field(..., ge=-180, le=180)

    _lists = validator("alt_names", pre=True, allow_reuse=True)(split_list)


class OrganisationRow(Row):
    id: str = Field(..., regex=SLUG)
    name: str = Field(..., min_length=1)
    kind: str = Field(..., min_length=1)
    website: Optional[str] = None
    source: str = Field(..., min_length=1)

    _blank = validator("website", pre=True, allow_reuse=True)(blank_to_none)


class ServiceTypeRow(NamedRow):
    id: str = Field(..., regex=r"^[a-z_]+$")


class CentreRow(Row):
    id: str = Field(..., regex=SLUG)
    name: str = Field(..., min_length=1)
    organisation: str = Field(..., min_length=1)
    country: str = Field(..., regex=ISO2)
    place: str = Field(..., min_length=1)
    address: Optional[str] = None
    latitude: float = Field(..., ge=-90, le=90)
    longitude: float = Field(..., ge=-180, le=180)
    location_precision: str = Field(..., regex=r"^(exact|city)$")
    phone: Optional[str] = Field(None, regex=r"^\+[0-9 ]{6,20}$")
    services: List[str] = Field(..., min_items=1)
    languages: List[str] = []
    opening_hours: Optional[str] = None
    serves_regardless_of_status: bool
    serves_nationals_of: Optional[str] = Field(None, regex=ISO2)
    source: str = Field(..., min_length=1)
    verified: bool
    last_verified: Optional[dt.date] = None

    _lists = validator("services", "languages", pre=True, allow_reuse=True)(split_list)
    _blank = validator(
        "address", "phone", "opening_hours", "serves_nationals_of", "last_verified",
        pre=True, allow_reuse=True,
    )(blank_to_none)

    @validator("last_verified", always=True)
    def verified_needs_date(cls, value: Optional[dt.date], values: dict) -> Optional[dt.date]:
        if values.get("verified") and value is None:
            raise ValueError("a verified centre needs the date it was verified (YYYY-MM-DD)")
        return value


class EmergencyNumberRow(Row):
    country: str = Field(..., regex=ISO2)
    service: str = Field(..., min_length=1)
    number: str = Field(..., regex=r"^[0-9]{2,6}$")
    source: str = Field(..., min_length=1)


class ConditionRow(Row):
    field: str = Field(..., regex=r"^(host_country|origin_country|wants_return|lacks_means|fears_persecution|situation|vulnerabilities)$")
    op: str = Field(..., regex=r"^(is|in|not_empty|known)$")
    value: Any = None


class CriterionRow(Row):
    id: str = Field(..., min_length=1)
    any: List[ConditionRow] = Field(..., min_items=1)
    met: LocalText
    unmet: LocalText
    on_fail: Optional[str] = Field(None, regex=r"^refer_asylum$")

    _text = validator("met", "unmet", pre=True, allow_reuse=True)(local_text)


class ProgrammeRow(Row):
    id: str = Field(..., regex=SLUG)
    name: LocalText
    operator: str = Field(..., min_length=1)
    summary: LocalText
    source: str = Field(..., min_length=1)
    next_step: LocalText
    criteria: List[CriterionRow] = Field(..., min_items=1)

    _text = validator("name", "summary", "next_step", pre=True, allow_reuse=True)(local_text)


class StepRow(Row):
    title: LocalText
    text: LocalText
    source: str = Field(..., min_length=1)

    _text = validator("title", "text", pre=True, allow_reuse=True)(local_text)


class PhaseRow(Row):
    id: str = Field(..., regex=r"^[a-z_]+$")
    title: LocalText

    _text = validator("title", pre=True, allow_reuse=True)(local_text)


class AvenueRow(Row):
    id: str = Field(..., regex=SLUG)
    countries: List[str] = Field(..., min_items=1)
    kind: str = Field(..., min_length=1)
    title: LocalText
    text: LocalText
    open_after_departure: bool
    source: str = Field(..., min_length=1)
    evidence: Optional[LocalText] = None
    deadline: Optional[LocalText] = None

    _text = validator("title", "text", pre=True, allow_reuse=True)(local_text)
    _optional_text = validator("evidence", "deadline", pre=True, allow_reuse=True)(
        lambda v: None if v is None else local_text(v))

    @validator("countries", each_item=True)
    def iso_codes(cls, value: str) -> str:
        if len(value) != 2 or not value.isupper():
            raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
        return value
