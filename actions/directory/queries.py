"""Every query the actions make, in one place. SQLAlchemy only; parameters are always bound.
Results are plain dataclasses, so actions never hold a database session."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from actions.directory import models as m
from actions.directory.cache import per_version
from actions.eligibility import Criterion, ProgrammeSpec
from actions.gazetteer import Entry


@dataclass(frozen=True)
class CentreInfo:
    id: str
    name: str
    organisation: str
    country_code: str
    city: str
    address: Optional[str]
    latitude: float
    longitude: float
    location_precision: str
    phone: Optional[str]
    services: Tuple[str, ...]
    languages: Tuple[str, ...]
    opening_hours: Optional[str]
    serves_regardless_of_status: bool
    verified: bool
    serves_nationals_of: Optional[str] = None  # an embassy or consulate: whose nationals it serves

    @property
    def position(self) -> Tuple[float, float]:
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class PlaceInfo:
    id: str
    name: str
    country_code: str
    country_name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Step:
    phase: str
    phase_title: str
    title: str
    text: str


@dataclass(frozen=True)
class Avenue:
    key: str
    title: str
    text: str
    evidence: str
    deadline: str
    open_after_departure: bool
    kind: str = ""


def localize(text: Optional[Dict[str, str]], language: str) -> str:
    """Text in `language`, else English (every directory text has English)."""
    if not text:
        return ""
    return text.get(language) or text.get("en", "")


def _name(row: Any, language: str) -> str:
    """A country's, place's or service type's name in `language`, English when it has none."""
    return row.names.get(language) or row.names["en"]


@per_version
def gazetteer_entries(session: Session) -> List[Entry]:
    entries = [
        Entry("country", c.code, c.code, (*c.names.values(), *c.alt_names))
        for c in session.execute(select(m.Country)).scalars()
    ]
    entries += [
        Entry("place", p.id, p.country_code, (*p.names.values(), *p.alt_names))
        for p in session.execute(select(m.Place)).scalars()
    ]
    return entries


def country_name(session: Session, code: str, language: str = "en") -> Optional[str]:
    country = session.get(m.Country, code)
    return _name(country, language) if country else None


def _place_info(p: Any, language: str) -> PlaceInfo:
    return PlaceInfo(p.id, _name(p, language), p.country_code, _name(p.country, language), p.latitude, p.longitude)


def place(session: Session, place_id: str, language: str = "en") -> Optional[PlaceInfo]:
    p = session.execute(
        select(m.Place).options(selectinload(m.Place.country)).where(m.Place.id == place_id)
    ).scalar_one_or_none()
    return None if p is None else _place_info(p, language)


@per_version
def places(session: Session, language: str = "en") -> List[PlaceInfo]:
    """Every known place, in one query (nearest-place look-ups)."""
    rows = session.execute(select(m.Place).options(selectinload(m.Place.country)).order_by(m.Place.id)).scalars()
    return [_place_info(p, language) for p in rows]


def capital_like_place(session: Session, country_code: str, language: str = "en") -> Optional[PlaceInfo]:
    """The country's first gazetteer place (files list the main city first): a search origin for a country."""
    p = session.execute(
        select(m.Place).where(m.Place.country_code == country_code).order_by(m.Place.position).limit(1)
    ).scalar_one_or_none()
    return place(session, p.id, language) if p else None


def _centre_info(c: Any, language: str) -> CentreInfo:
    return CentreInfo(
        id=c.id, name=c.name, organisation=c.organisation.name, country_code=c.country_code,
        city=_name(c.place, language), address=c.address, latitude=c.latitude, longitude=c.longitude,
        location_precision=c.location_precision, phone=c.phone, services=tuple(c.service_ids),
        languages=tuple(c.languages or ()), opening_hours=c.opening_hours,
        serves_regardless_of_status=c.serves_regardless_of_status, verified=c.verified,
        serves_nationals_of=c.serves_nationals_of or None)


def centres(session: Session, service: Optional[str] = None, country_code: Optional[str] = None,
            language: str = "en", nationality: Optional[str] = None) -> List[CentreInfo]:
    """Centres offering `service` (any, when None) in `country_code` (anywhere, when None). An embassy or
    consulate serves its own nationals only: it is listed for consular help, and then only the one of
    `nationality` when that is known — never as the nearest help of any kind for everyone."""
    query = select(m.Centre).options(selectinload(m.Centre.services), selectinload(m.Centre.organisation),
                                     selectinload(m.Centre.place))
    if service:
        query = query.where(m.Centre.services.any(m.CentreService.service_type_id == service))
    if country_code:
        query = query.where(m.Centre.country_code == country_code)
    if service != "consular":
        query = query.where(m.Centre.serves_nationals_of.is_(None) | (m.Centre.serves_nationals_of == ""))
    elif nationality:
        query = query.where(m.Centre.serves_nationals_of == nationality)
    return [
        _centre_info(c, language) for c in session.execute(query.order_by(m.Centre.id)).scalars()
    ]


def centres_by_id(session: Session, ids: Sequence[str], language: str = "en") -> List[CentreInfo]:
    """The centres of `ids`, in that order (those no longer in the directory left out)."""
    query = select(m.Centre).options(selectinload(m.Centre.services), selectinload(m.Centre.organisation),
                                     selectinload(m.Centre.place)).where(m.Centre.id.in_(list(ids)))
    found = {c.id: _centre_info(c, language) for c in session.execute(query).scalars()}
    return [found[i] for i in ids if i in found]


def service_type_ids(session: Session) -> List[str]:
    return list(session.execute(select(m.ServiceType.id)).scalars())


@per_version
def service_names(session: Session, language: str = "en") -> Dict[str, str]:
    return {s.id: _name(s, language) for s in session.execute(select(m.ServiceType)).scalars()}


def emergency_numbers(session: Session, country_code: str, language: str = "en") -> List[Tuple[str, str]]:
    """(service name in `language`, number) of a country's emergency numbers."""
    rows = session.execute(
        select(m.EmergencyNumber).options(selectinload(m.EmergencyNumber.service_type))
        .where(m.EmergencyNumber.country_code == country_code).order_by(m.EmergencyNumber.id)
    ).scalars()
    return [(_name(r.service_type, language), r.number) for r in rows]


@per_version
def programmes(session: Session, language: str = "en") -> List[ProgrammeSpec]:
    rows = session.execute(
        select(m.Programme).options(selectinload(m.Programme.criteria)).order_by(m.Programme.position)
    ).scalars()
    return [
        ProgrammeSpec(
            id=p.id, name=localize(p.name, language), summary=localize(p.summary, language),
            next_step=localize(p.next_step, language), source=p.source,
            criteria=tuple(Criterion(c.key, tuple(c.conditions), localize(c.met, language),
                                     localize(c.unmet, language), c.on_fail) for c in p.criteria),
        )
        for p in rows
    ]


@per_version
def form_fields(session: Session) -> List[Tuple[str, bool]]:
    rows = session.execute(select(m.FormField).order_by(m.FormField.position)).scalars()
    return [(f.name, f.optional) for f in rows]


@per_version
def form_options(session: Session, field: str) -> Dict[str, Tuple[str, ...]]:
    rows = session.execute(select(m.FormOption).where(m.FormOption.field == field).order_by(m.FormOption.id)).scalars()
    return {o.value: tuple(o.keywords) for o in rows}


def return_phases(session: Session, programme_id: str, language: str = "en") -> List[Tuple[str, str]]:
    rows = session.execute(
        select(m.ReturnStep).where(m.ReturnStep.programme_id == programme_id)
        .order_by(m.ReturnStep.phase_position, m.ReturnStep.position)
    ).scalars()
    phases: Dict[str, str] = {}
    for r in rows:
        phases.setdefault(r.phase, localize(r.phase_title, language))
    return list(phases.items())


def return_steps(session: Session, programme_id: str, phase: str, language: str = "en") -> List[Step]:
    rows = session.execute(
        select(m.ReturnStep)
        .where(m.ReturnStep.programme_id == programme_id, m.ReturnStep.phase == phase)
        .order_by(m.ReturnStep.position)
    ).scalars()
    return [Step(r.phase, localize(r.phase_title, language), localize(r.title, language), localize(r.text, language))
            for r in rows]


def wage_avenues(session: Session, country_code: str, has_left: Optional[bool], language: str = "en") -> List[Avenue]:
    query = select(m.WageAvenue).where(m.WageAvenue.country_code == country_code)
    if has_left:
        query = query.where(m.WageAvenue.open_after_departure.is_(True))
    rows = session.execute(query.order_by(m.WageAvenue.position)).scalars()
    return [Avenue(r.avenue_key, localize(r.title, language), localize(r.text, language),
                   localize(r.evidence, language), localize(r.deadline, language), r.open_after_departure, r.kind)
            for r in rows]
