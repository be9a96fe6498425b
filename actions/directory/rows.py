"""Row schemas of the directory files: each editor-facing row is checked here before anything is written."""
from __future__ import annotations

import datetime as dt
from typing import Any, List, Optional

from pydantic import BaseModel, Field, validator

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


class Row(BaseModel):
    class Config:
        extra = "forbid"
        anystr_strip_whitespace = True


class CountryRow(Row):
    code: str = Field(..., regex=ISO2)
    name_en: str = Field(..., min_length=1)
    name_fr: str = Field(..., min_length=1)
    name_ar: str = Field(..., min_length=1)
    role: str = Field(..., regex=r"^(host|origin)$")
    alt_names: List[str] = []

    _lists = validator("alt_names", pre=True, allow_reuse=True)(split_list)


class PlaceRow(Row):
    id: str = Field(..., regex=SLUG)
    country: str = Field(..., regex=ISO2)
    name_en: str = Field(..., min_length=1)
    name_fr: str = Field(..., min_length=1)
    name_ar: str = Field(..., min_length=1)
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


class ServiceTypeRow(Row):
    id: str = Field(..., regex=r"^[a-z_]+$")
    name_en: str = Field(..., min_length=1)
    name_fr: str = Field(..., min_length=1)
    name_ar: str = Field(..., min_length=1)


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
    met: str = Field(..., min_length=1)
    unmet: str = Field(..., min_length=1)
    on_fail: Optional[str] = Field(None, regex=r"^refer_asylum$")


class ProgrammeRow(Row):
    id: str = Field(..., regex=SLUG)
    name: str = Field(..., min_length=1)
    operator: str = Field(..., min_length=1)
    summary: str = Field(..., min_length=1)
    source: str = Field(..., min_length=1)
    next_step: str = Field(..., min_length=1)
    criteria: List[CriterionRow] = Field(..., min_items=1)


class StepRow(Row):
    title: str = Field(..., min_length=1)
    text: str = Field(..., min_length=1)
    source: str = Field(..., min_length=1)


class PhaseRow(Row):
    id: str = Field(..., regex=r"^[a-z_]+$")
    title: str = Field(..., min_length=1)


class AvenueRow(Row):
    id: str = Field(..., regex=SLUG)
    countries: List[str] = Field(..., min_items=1)
    kind: str = Field(..., min_length=1)
    title: str = Field(..., min_length=1)
    text: str = Field(..., min_length=1)
    open_after_departure: bool
    source: str = Field(..., min_length=1)
    evidence: Optional[str] = None
    deadline: Optional[str] = None

    @validator("countries", each_item=True)
    def iso_codes(cls, value: str) -> str:
        if len(value) != 2 or not value.isupper():
            raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
        return value
