"""Load data/directory/ into the directory database, all or nothing.

Every row is validated first (schema, then cross-references); any problem is reported with its file, line
and field and nothing is written. A SQLite database is built in a temporary file and swapped in with an
atomic rename; other databases are rewritten inside one transaction. Either way a failed load leaves the
previous database as it was.

    python -m actions.directory.load data/directory
"""
from __future__ import annotations

import csv
import os
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Type

import yaml
from pydantic import ValidationError
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from actions.directory import models as m
from actions.directory import rows as r
from actions.directory.session import database_url


@dataclass(frozen=True)
class Problem:
    file: str
    line: Optional[int]
    field: Optional[str]
    message: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "")
        what = f", field '{self.field}'" if self.field else ""
        return f"{where}{what}: {self.message}"


class DirectoryError(Exception):
    def __init__(self, problems: List[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Directory:
    """Everything read from the files, validated, ready to write."""

    countries: List[r.CountryRow]
    places: List[r.PlaceRow]
    organisations: List[r.OrganisationRow]
    service_types: List[r.ServiceTypeRow]
    centres: List[r.CentreRow]
    emergency_services: List[r.ServiceTypeRow]
    emergency_numbers: List[r.EmergencyNumberRow]
    programmes: List[r.ProgrammeRow]
    phases: List[r.PhaseRow]
    steps: Dict[str, Dict[str, List[r.StepRow]]]
    avenues: List[r.AvenueRow]
    common_evidence: Dict[str, str]
    common_deadline: Dict[str, str]
    questions: Dict[str, Any]
    declared_programmes: List[str]


class _Reader:
    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: List[Problem] = []

    def _name(self, filename: str) -> str:
        return str(self.folder / filename)

    def _validate(self, schema: Type[r.Row], data: Any, filename: str, line: Optional[int], prefix: str = ""):
        try:
            return schema.parse_obj(data)
        except ValidationError as error:
            for e in error.errors():
                field = prefix + ".".join(str(x) for x in e["loc"])
                self.problems.append(Problem(self._name(filename), line, field, e["msg"]))
            return None

    def csv_rows(self, filename: str, schema: Type[r.Row]) -> List[Any]:
        path = self.folder / filename
        if not path.exists():
            self.problems.append(Problem(self._name(filename), None, None, "file is missing"))
            return []
        result = []
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                line = reader.line_num
                if None in row:
                    self.problems.append(Problem(self._name(filename), line, None,
                                                 "more cells than columns (an unquoted comma?)"))
                    continue
                parsed = self._validate(schema, row, filename, line)
                if parsed is not None:
                    result.append(parsed)
        return result

    def yaml_file(self, filename: str) -> Dict[str, Any]:
        path = self.folder / filename
        if not path.exists():
            self.problems.append(Problem(self._name(filename), None, None, "file is missing"))
            return {}
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            self.problems.append(Problem(self._name(filename), mark.line + 1 if mark else None, None,
                                         f"not valid YAML: {error}"))
            return {}

    def local_text(self, filename: str, field: str, value: Any) -> Dict[str, str]:
        try:
            return r.local_text(value)
        except ValueError as error:
            self.problems.append(Problem(self._name(filename), None, field, str(error)))
            return {}

    def yaml_items(self, filename: str, items: Iterable[Any], schema: Type[r.Row], label: str) -> List[Any]:
        result = []
        for index, item in enumerate(items or []):
            key = item.get("id", index) if isinstance(item, dict) else index
            parsed = self._validate(schema, item, filename, None, prefix=f"{label}[{key}].")
            if parsed is not None:
                result.append(parsed)
        return result


def read_directory(folder: Path) -> Directory:
    reader = _Reader(folder)
    programmes_doc = reader.yaml_file("programmes.yml")
    steps_doc = reader.yaml_file("return_steps.yml")
    avenues_doc = reader.yaml_file("wage_avenues.yml")
    questions = reader.yaml_file("form_questions.yml")
    steps: Dict[str, Dict[str, List[r.StepRow]]] = {}
    for programme_id, phases in (steps_doc.get("steps") or {}).items():
        steps[programme_id] = {
            phase: reader.yaml_items("return_steps.yml", items, r.StepRow, f"steps.{programme_id}.{phase}")
            for phase, items in (phases or {}).items()
        }
    directory = Directory(
        countries=reader.csv_rows("countries.csv", r.CountryRow),
        places=reader.csv_rows("places.csv", r.PlaceRow),
        organisations=reader.csv_rows("organisations.csv", r.OrganisationRow),
        service_types=reader.csv_rows("service_types.csv", r.ServiceTypeRow),
        centres=reader.csv_rows("centres.csv", r.CentreRow),
        emergency_services=reader.csv_rows("emergency_services.csv", r.ServiceTypeRow),
        emergency_numbers=reader.csv_rows("emergency_numbers.csv", r.EmergencyNumberRow),
        programmes=reader.yaml_items("programmes.yml", programmes_doc.get("programmes"), r.ProgrammeRow,
                                     "programmes"),
        phases=reader.yaml_items("return_steps.yml", steps_doc.get("phases"), r.PhaseRow, "phases"),
        steps=steps,
        avenues=reader.yaml_items("wage_avenues.yml", avenues_doc.get("avenues"), r.AvenueRow, "avenues"),
        common_evidence=reader.local_text("wage_avenues.yml", "common_evidence", avenues_doc.get("common_evidence")),
        common_deadline=reader.local_text("wage_avenues.yml", "common_deadline", avenues_doc.get("common_deadline")),
        questions=questions,
        declared_programmes=[str(p.get("id")) for p in programmes_doc.get("programmes") or [] if isinstance(p, dict)],
    )
    problems = reader.problems + _cross_reference_problems(directory, folder)
    if problems:
        raise DirectoryError(problems)
    return directory


def _keywords(words: Any) -> List[Any]:
    """Answer keywords: one list, or one list per language ({en: [...], fr: [...]}) merged."""
    if isinstance(words, dict):
        return [w for per_language in words.values() for w in (per_language or [])]
    return list(words or [])


def _duplicates(ids: Iterable[str]) -> List[str]:
    seen, dupes = set(), []
    for i in ids:
        if i in seen:
            dupes.append(i)
        seen.add(i)
    return dupes


def _cross_reference_problems(d: Directory, folder: Path) -> List[Problem]:
    """Dangling references and duplicate ids, named by file and record."""
    problems: List[Problem] = []

    def add(filename: str, field: str, message: str) -> None:
        problems.append(Problem(str(folder / filename), None, field, message))

    for filename, ids in (
        ("countries.csv", [c.code for c in d.countries]),
        ("places.csv", [p.id for p in d.places]),
        ("organisations.csv", [o.id for o in d.organisations]),
        ("centres.csv", [c.id for c in d.centres]),
        ("programmes.yml", [p.id for p in d.programmes]),
    ):
        for dupe in _duplicates(ids):
            add(filename, "id", f"duplicate id {dupe!r}")
    countries = {c.code for c in d.countries}
    places = {p.id: p for p in d.places}
    organisations = {o.id for o in d.organisations}
    services = {s.id for s in d.service_types}
    programmes = set(d.declared_programmes)  # a programme with a bad field is reported once, not at every step
    phases = {p.id for p in d.phases}
    for p in d.places:
        if p.country not in countries:
            add("places.csv", "country", f"place {p.id!r}: unknown country {p.country!r}")
    for c in d.centres:
        if c.organisation not in organisations:
            add("centres.csv", "organisation", f"centre {c.id!r}: unknown organisation {c.organisation!r}")
        if c.country not in countries:
            add("centres.csv", "country", f"centre {c.id!r}: unknown country {c.country!r}")
        if c.place not in places:
            add("centres.csv", "place", f"centre {c.id!r}: unknown place {c.place!r}")
        elif places[c.place].country != c.country:
            add("centres.csv", "place", f"centre {c.id!r}: place {c.place!r} is not in {c.country}")
        for s in c.services:
            if s not in services:
                add("centres.csv", "services", f"centre {c.id!r}: unknown service type {s!r}")
    emergency_services = {s.id for s in d.emergency_services}
    for e in d.emergency_numbers:
        if e.country not in countries:
            add("emergency_numbers.csv", "country", f"unknown country {e.country!r}")
        if e.service not in emergency_services:
            add("emergency_numbers.csv", "service", f"unknown emergency service {e.service!r} "
                                                    "(see emergency_services.csv)")
    for p in d.programmes:
        if p.operator not in organisations:
            add("programmes.yml", f"programmes[{p.id}].operator", f"unknown organisation {p.operator!r}")
    for programme_id, by_phase in d.steps.items():
        if programme_id not in programmes:
            add("return_steps.yml", f"steps.{programme_id}", f"unknown programme {programme_id!r}")
        for phase in by_phase:
            if phase not in phases:
                add("return_steps.yml", f"steps.{programme_id}.{phase}", f"unknown phase {phase!r}")
    for a in d.avenues:
        for code in a.countries:
            if code not in countries:
                add("wage_avenues.yml", f"avenues[{a.id}].countries", f"unknown country {code!r}")
    order = d.questions.get("order") or []
    for field in d.questions.get("optional") or []:
        if field not in order:
            add("form_questions.yml", "optional", f"{field!r} is not in order")
    for field, options in (d.questions.get("options") or {}).items():
        for value, words in (options or {}).items():
            for word in _keywords(words):
                if not isinstance(word, str):
                    add("form_questions.yml", f"options.{field}.{value}",
                        f"{word!r} is not text (quote yes/no words: \"no\")")
    used = {c.field for p in d.programmes for crit in p.criteria for c in crit.any}
    for field in sorted(used - set(order)):
        add("form_questions.yml", "order", f"criteria use {field!r} but the form never asks it")
    return problems


def _records(d: Directory) -> List[Any]:
    records: List[Any] = []
    records += [m.Country(code=c.code, names=c.names, role=c.role, alt_names=c.alt_names) for c in d.countries]
    records += [m.Place(id=p.id, country_code=p.country, names=p.names, alt_names=p.alt_names, position=i,
                        latitude=p.latitude, longitude=p.longitude)
                for i, p in enumerate(d.places)]
    records += [m.Organisation(**o.dict()) for o in d.organisations]
    records += [m.ServiceType(**s.dict()) for s in d.service_types]
    records += [m.EmergencyService(**s.dict()) for s in d.emergency_services]
    for c in d.centres:
        centre = m.Centre(
            id=c.id, name=c.name, organisation_id=c.organisation, country_code=c.country, place_id=c.place,
            address=c.address, latitude=c.latitude, longitude=c.longitude,
            location_precision=c.location_precision, phone=c.phone, languages=c.languages,
            opening_hours=c.opening_hours, serves_regardless_of_status=c.serves_regardless_of_status,
            serves_nationals_of=c.serves_nationals_of, source=c.source, verified=c.verified,
            last_verified=c.last_verified,
        )
        centre.services = [m.CentreService(service_type_id=s) for s in c.services]
        records.append(centre)
    records += [m.EmergencyNumber(country_code=e.country, service=e.service, number=e.number, source=e.source)
                for e in d.emergency_numbers]
    for position, p in enumerate(d.programmes):
        programme = m.Programme(id=p.id, position=position, name=p.name, operator_id=p.operator,
                                summary=p.summary, next_step=p.next_step, source=p.source)
        programme.criteria = [
            m.ProgrammeCriterion(position=i, key=c.id, conditions=[x.dict() for x in c.any], met=c.met,
                                 unmet=c.unmet, on_fail=c.on_fail)
            for i, c in enumerate(p.criteria)
        ]
        records.append(programme)
    phase_titles = {p.id: (i, p.title) for i, p in enumerate(d.phases)}
    for programme_id, by_phase in d.steps.items():
        for phase, steps in by_phase.items():
            phase_position, phase_title = phase_titles[phase]
            records += [m.ReturnStep(programme_id=programme_id, phase=phase, phase_position=phase_position,
                                     phase_title=phase_title, position=i, title=s.title, text=s.text,
                                     source=s.source) for i, s in enumerate(steps)]
    for position, a in enumerate(d.avenues):
        records += [m.WageAvenue(avenue_key=a.id, country_code=code, position=position, kind=a.kind, title=a.title,
                                 text=a.text, evidence=a.evidence or d.common_evidence,
                                 deadline=a.deadline or d.common_deadline,
                                 open_after_departure=a.open_after_departure, source=a.source)
                    for code in a.countries]
    order = d.questions.get("order") or []
    optional = set(d.questions.get("optional") or [])
    records += [m.FormField(name=f, position=i, optional=f in optional) for i, f in enumerate(order)]
    for field, options in (d.questions.get("options") or {}).items():
        records += [m.FormOption(field=field, value=value, keywords=_keywords(words))
                    for value, words in options.items()]
    return records


def _write(engine: Engine, d: Directory) -> None:
    with Session(engine) as session, session.begin():
        m.Base.metadata.create_all(session.connection())
        for table in reversed(m.Base.metadata.sorted_tables):
            session.execute(table.delete())
        session.add_all(_records(d))
        session.add(m.DirectoryVersion(version=uuid.uuid4().hex))


def load_directory(folder: Path, url: Optional[str] = None) -> Directory:
    """Validate `folder` and replace the database at `url` with it; raises DirectoryError, writing nothing."""
    d = read_directory(folder)
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        target = Path(parsed.database)
        target.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp: a new name in the same folder (so the rename is atomic), readable by the owner only (the
        # mode the database keeps after the rename, whatever the old file's was).
        fd, tmp = tempfile.mkstemp(prefix=".directory-", suffix=".db", dir=target.parent)
        os.close(fd)
        os.chmod(tmp, 0o600)
        try:
            engine = create_engine(parsed.set(database=tmp))
            _write(engine, d)
            engine.dispose()
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    else:
        engine = create_engine(url)
        _write(engine, d)
        engine.dispose()
    return d


def main(argv: List[str]) -> int:
    os.umask(0o077)  # the database, its journal and var/ itself if new: the owner's only
    folder = Path(argv[1] if len(argv) > 1 else "data/directory")
    try:
        d = load_directory(folder)
    except DirectoryError as error:
        print(f"The directory was NOT loaded ({len(error.problems)} problem(s)); the database is unchanged:",
              file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"Directory loaded into {database_url(redact=True)}: {len(d.countries)} countries, {len(d.places)} places, "
          f"{len(d.centres)} centres, {len(d.programmes)} programmes, {len(d.avenues)} wage avenues.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
