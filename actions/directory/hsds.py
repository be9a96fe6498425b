"""The service directory in Open Referral's Human Services Data Specification (HSDS) CSV tables, so that
organisations that keep their services in HSDS can load them directly, and Haven's directory can be
shared with them.

    python -m actions.directory.hsds export OUT_DIR            # data/directory -> HSDS tables
    python -m actions.directory.hsds import IN_DIR             # HSDS tables -> data/directory (merged)

Tables: organization, service, location, service_at_location, phone, schedule, language (HSDS 2.0 column
names; `language.code` of HSDS 3 is read too). How Haven's rows map onto them:
- organisations.csv <-> organization (id, name, url; Haven's `kind` in organization.legal_status);
- centres.csv <-> location (id, organization_id, name, latitude, longitude, description = address), one
  service per organisation and Haven service type (its `name` is the service type's id or English name)
  offered at locations through service_at_location; phone (location_id), schedule (location_id;
  description, or byday/opens_at/closes_at), language (location_id or service_id).
HSDS locations carry no country: an imported location belongs to the nearest place of data/directory
(haversine) whose country's bounding box contains it, and is refused if no place is within 150 km.
Imported centres are `verified: false` and name the HSDS folder as their source; Haven then validates
everything as usual (`make check-content`)."""
from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from haversine import haversine

from actions.directory.load import Problem

TABLES = {
    "organization": ["id", "name", "alternate_name", "description", "email", "url", "tax_status", "tax_id",
                     "year_incorporated", "legal_status"],
    "service": ["id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email",
                "status", "interpretation_services", "application_process", "wait_time", "fees",
                "accreditations", "licenses"],
    "location": ["id", "organization_id", "name", "alternate_name", "description", "transportation", "latitude",
                 "longitude"],
    "service_at_location": ["id", "service_id", "location_id", "description"],
    "phone": ["id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
              "number", "extension", "type", "language", "description"],
    "schedule": ["id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart",
                 "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday",
                 "byyearday", "description", "opens_at", "closes_at"],
    "language": ["id", "service_id", "location_id", "language", "code"],
}
MAX_PLACE_DISTANCE_KM = 150.0
ORGANISATION_FIELDS = ["id", "name", "kind", "website", "source"]


def read_csv(path: Path) -> Tuple[List[str], List[Dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, fields: List[str], rows: Iterable[Dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


# -- export ------------------------------------------------------------------------------------------------
def export(directory: Path, out: Path) -> Dict[str, int]:
    """Haven's directory files -> HSDS tables in `out`. Returns the number of rows per table."""
    out.mkdir(parents=True, exist_ok=True)
    _, organisations = read_csv(directory / "organisations.csv")
    _, centres = read_csv(directory / "centres.csv")
    _, service_types = read_csv(directory / "service_types.csv")
    type_names = {t["id"]: t["name_en"] for t in service_types}
    tables: Dict[str, List[Dict[str, str]]] = defaultdict(list)
    for o in organisations:
        tables["organization"].append({"id": o["id"], "name": o["name"], "url": o.get("website", ""),
                                       "legal_status": o["kind"], "description": o["source"]})
    services: Dict[Tuple[str, str], str] = {}
    for c in centres:
        tables["location"].append({"id": c["id"], "organization_id": c["organisation"], "name": c["name"],
                                   "description": c.get("address", ""), "latitude": c["latitude"],
                                   "longitude": c["longitude"]})
        for service_type in [s for s in c["services"].split("|") if s]:
            key = (c["organisation"], service_type)
            if key not in services:
                services[key] = f"{c['organisation']}--{service_type}"
                tables["service"].append({"id": services[key], "organization_id": c["organisation"],
                                          "name": service_type, "alternate_name": type_names.get(service_type, ""),
                                          "status": "active"})
            tables["service_at_location"].append({"id": f"{services[key]}@{c['id']}", "service_id": services[key],
                                                  "location_id": c["id"]})
        if c.get("phone"):
            tables["phone"].append({"id": f"{c['id']}-phone", "location_id": c["id"], "number": c["phone"],
                                    "type": "voice"})
        if c.get("opening_hours"):
            tables["schedule"].append({"id": f"{c['id']}-hours", "location_id": c["id"],
                                       "description": c["opening_hours"]})
        for code in [x for x in c.get("languages", "").split("|") if x]:
            tables["language"].append({"id": f"{c['id']}-{code}", "location_id": c["id"], "language": code,
                                       "code": code})
    for name, fields in TABLES.items():
        write_csv(out / f"{name}.csv", fields, tables.get(name, []))
    return {name: len(tables.get(name, [])) for name in TABLES}


# -- import ------------------------------------------------------------------------------------------------
@dataclass
class Imported:
    organisations: List[Dict[str, str]]
    centres: List[Dict[str, str]]
    problems: List[Problem]


def _places(directory: Path) -> List[Dict[str, str]]:
    _, countries = read_csv(directory / "countries.csv")
    boxes = {c["code"]: tuple(float(c[k]) for k in ("min_lat", "min_lon", "max_lat", "max_lon"))
             for c in countries if all(c.get(k) for k in ("min_lat", "min_lon", "max_lat", "max_lon"))}
    _, places = read_csv(directory / "places.csv")
    for p in places:
        p["_box"] = boxes.get(p["country"])  # type: ignore[assignment]
    return places


def nearest_place(places: List[Dict[str, str]], latitude: float, longitude: float) -> Optional[Tuple[dict, float]]:
    """The nearest place whose country contains the point, and its distance in km."""
    best: Optional[Tuple[dict, float]] = None
    for p in places:
        box = p["_box"]
        if not box or not (box[0] <= latitude <= box[2] and box[1] <= longitude <= box[3]):
            continue
        distance = haversine((latitude, longitude), (float(p["latitude"]), float(p["longitude"])))
        if best is None or distance < best[1]:
            best = (p, distance)
    return best


def _schedule_text(row: Dict[str, str]) -> str:
    if row.get("description"):
        return row["description"].strip()
    hours = "-".join(x for x in (row.get("opens_at", "")[:5], row.get("closes_at", "")[:5]) if x)
    return " ".join(x for x in (row.get("byday", "").replace(",", "|"), hours) if x)


def import_tables(folder: Path, directory: Path) -> Imported:
    """HSDS tables in `folder` -> Haven organisation and centre rows (not yet written)."""
    problems: List[Problem] = []
    tables: Dict[str, List[Dict[str, str]]] = {}
    lines: Dict[Tuple[str, str], int] = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            if name in ("organization", "location", "service", "service_at_location"):
                problems.append(Problem(str(path), None, None, "file is missing"))
            tables[name] = []
            continue
        _, rows = read_csv(path)
        tables[name] = rows
        for index, row in enumerate(rows, start=2):
            lines[(name, row.get("id", ""))] = index
    if problems:
        return Imported([], [], problems)

    def problem(table: str, row_id: str, field: str, message: str) -> None:
        problems.append(Problem(str(folder / f"{table}.csv"), lines.get((table, row_id)), field, message))

    _, service_types = read_csv(directory / "service_types.csv")
    type_by_name = {t["id"].lower(): t["id"] for t in service_types}
    type_by_name.update({t["name_en"].lower(): t["id"] for t in service_types})
    service_type: Dict[str, str] = {}
    for s in tables["service"]:
        found = type_by_name.get((s.get("name") or "").strip().lower()) or \
            type_by_name.get((s.get("alternate_name") or "").strip().lower())
        if found is None:
            problem("service", s.get("id", ""), "name", f"service {s.get('id')!r} ({s.get('name')!r}) is not one of "
                    f"Haven's service types: {', '.join(sorted(t['id'] for t in service_types))}")
        else:
            service_type[s["id"]] = found
    organisations = [{"id": o["id"], "name": o["name"], "kind": o.get("legal_status") or "civil_society",
                      "website": o.get("url", ""), "source": f"HSDS import ({folder.name}/organization.csv)"}
                     for o in tables["organization"]]
    services_at: Dict[str, List[str]] = defaultdict(list)
    for link in tables["service_at_location"]:
        if link.get("service_id") in service_type and service_type[link["service_id"]] not in services_at[link.get("location_id", "")]:
            services_at[link.get("location_id", "")].append(service_type[link["service_id"]])
    phones = {p["location_id"]: p["number"] for p in tables["phone"] if p.get("location_id") and p.get("number")}
    schedules = {s["location_id"]: _schedule_text(s) for s in tables["schedule"] if s.get("location_id")}
    languages: Dict[str, List[str]] = defaultdict(list)
    location_services = defaultdict(list)
    for link in tables["service_at_location"]:
        location_services[link.get("service_id", "")].append(link.get("location_id", ""))
    for row in tables["language"]:
        code = (row.get("code") or row.get("language") or "").strip().lower()
        targets = [row["location_id"]] if row.get("location_id") else location_services.get(row.get("service_id", ""), [])
        for location_id in targets:
            if code and code not in languages[location_id]:
                languages[location_id].append(code)
    places = _places(directory)
    centres: List[Dict[str, str]] = []
    for location in tables["location"]:
        location_id = location.get("id", "")
        try:
            latitude, longitude = float(location["latitude"]), float(location["longitude"])
        except (KeyError, TypeError, ValueError):
            problem("location", location_id, "latitude/longitude", f"location {location_id!r} has no coordinates")
            continue
        nearest = nearest_place(places, latitude, longitude)
        if nearest is None or nearest[1] > MAX_PLACE_DISTANCE_KM:
            problem("location", location_id, "latitude/longitude",
                    f"location {location_id!r} ({latitude}, {longitude}) is not within {MAX_PLACE_DISTANCE_KM:.0f} km "
                    "of a place in places.csv: add the town to places.csv first")
            continue
        place, _ = nearest
        if not services_at.get(location_id):
            problem("location", location_id, "service_at_location", f"location {location_id!r} offers no known service")
            continue
        centres.append({
            "id": location_id, "name": location.get("name", ""), "organisation": location.get("organization_id", ""),
            "country": place["country"], "place": place["id"], "address": location.get("description", ""),
            "latitude": location["latitude"], "longitude": location["longitude"], "location_precision": "exact",
            "phone": phones.get(location_id, ""), "services": "|".join(services_at[location_id]),
            "languages": "|".join(languages.get(location_id, [])), "opening_hours": schedules.get(location_id, ""),
            "serves_regardless_of_status": "false", "serves_nationals_of": "",
            "source": f"HSDS import ({folder.name}/location.csv)", "verified": "false", "last_verified": ""})
    return Imported(organisations, centres, problems)


#: What HSDS carries. For a row that exists already, only these fields change: what HSDS has no place for
#: (who a centre serves, whether Haven verified it, its source) stays as Haven's editors set it.
CARRIED = {"organisations.csv": ("name", "kind", "website"),
           "centres.csv": ("name", "organisation", "country", "place", "address", "latitude", "longitude", "phone",
                           "services", "languages", "opening_hours")}


def merge_into(directory: Path, imported: Imported) -> Tuple[int, int]:
    """New ids are added; existing ids get HSDS's fields (CARRIED) and keep the rest. Returns the counts."""
    for filename, rows in (("organisations.csv", imported.organisations), ("centres.csv", imported.centres)):
        fields, existing = read_csv(directory / filename)
        by_id = {row["id"]: row for row in existing}
        for row in rows:
            old = by_id.get(row["id"])
            by_id[row["id"]] = row if old is None else {**old, **{k: row[k] for k in CARRIED[filename]}}
        write_csv(directory / filename, fields, by_id.values())
    return len(imported.organisations), len(imported.centres)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.directory.hsds", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export_cmd = commands.add_parser("export", help="write the directory as HSDS CSV tables")
    export_cmd.add_argument("out", type=Path)
    import_cmd = commands.add_parser("import", help="merge HSDS CSV tables into the directory files")
    import_cmd.add_argument("folder", type=Path)
    for command in (export_cmd, import_cmd):
        command.add_argument("--directory", type=Path, default=Path("data/directory"))
    args = parser.parse_args(argv)
    if args.command == "export":
        counts = export(args.directory, args.out)
        print(f"HSDS tables written to {args.out}: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        return 0
    imported = import_tables(args.folder, args.directory)
    if imported.problems:
        print(f"Nothing was imported ({len(imported.problems)} problem(s)):", file=sys.stderr)
        for p in imported.problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    organisations, centres = merge_into(args.directory, imported)
    print(f"Imported {organisations} organisations and {centres} centres into {args.directory}. "
          "Run `make check-content`, then `make publish`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
