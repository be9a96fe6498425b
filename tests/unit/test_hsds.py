"""HSDS import and export of the service directory."""
from __future__ import annotations

import csv
from pathlib import Path

from actions.directory import hsds
from actions.directory.checks import directory_problems
from actions.directory.load import read_directory


def write(path: Path, rows: list) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_export_then_import_gives_back_the_same_directory(tmp_path: Path, directory_copy: Path) -> None:
    counts = hsds.export(directory_copy, tmp_path / "hsds")
    rows = {name: len((directory_copy / name).read_text().splitlines()) - 1
            for name in ("organisations.csv", "centres.csv")}
    assert counts["organization"] == rows["organisations.csv"] and counts["location"] == rows["centres.csv"]
    assert counts["service_at_location"] > counts["location"]
    assert sorted(p.name for p in (tmp_path / "hsds").iterdir()) == sorted(f"{t}.csv" for t in hsds.TABLES)
    before = {name: (directory_copy / name).read_text() for name in ("centres.csv", "organisations.csv")}
    assert hsds.main(["import", str(tmp_path / "hsds"), "--directory", str(directory_copy)]) == 0
    assert {name: (directory_copy / name).read_text() for name in before} == before


def foreign_hsds(folder: Path) -> Path:
    """A small HSDS export from another organisation, with a phone, a schedule and languages."""
    folder.mkdir()
    write(folder / "organization.csv", [{"id": "sawa", "name": "Sawa for Development and Aid", "url": "",
                                         "legal_status": "civil_society", "description": ""}])
    write(folder / "service.csv", [{"id": "s1", "organization_id": "sawa", "name": "Shelter", "alternate_name": ""},
                                   {"id": "s2", "organization_id": "sawa", "name": "legal aid", "alternate_name": ""}])
    write(folder / "location.csv", [
        {"id": "sawa-tyre", "organization_id": "sawa", "name": "Sawa — Tyre", "description": "Main road, Tyre",
         "latitude": "33.2705", "longitude": "35.2038"},
        {"id": "sawa-beirut", "organization_id": "sawa", "name": "Sawa — Beirut", "description": "",
         "latitude": "33.8938", "longitude": "35.5018"}])
    write(folder / "service_at_location.csv", [{"id": "a", "service_id": "s1", "location_id": "sawa-tyre"},
                                               {"id": "b", "service_id": "s2", "location_id": "sawa-tyre"},
                                               {"id": "c", "service_id": "s2", "location_id": "sawa-beirut"}])
    write(folder / "phone.csv", [{"id": "p", "location_id": "sawa-tyre", "number": "+961 7 740 123"}])
    write(folder / "schedule.csv", [{"id": "h", "location_id": "sawa-tyre", "description": "",
                                     "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00:00", "closes_at": "16:00:00"}])
    write(folder / "language.csv", [{"id": "l1", "service_id": "s2", "location_id": "", "language": "Arabic",
                                     "code": "ar"},
                                    {"id": "l2", "service_id": "", "location_id": "sawa-tyre", "language": "fr",
                                     "code": ""}])
    return folder


def test_an_organisations_hsds_tables_load_into_the_directory(tmp_path: Path, directory_copy: Path) -> None:
    folder = foreign_hsds(tmp_path / "sawa")
    imported = hsds.import_tables(folder, directory_copy)
    assert imported.problems == []
    tyre = next(c for c in imported.centres if c["id"] == "sawa-tyre")
    assert (tyre["country"], tyre["place"], tyre["services"]) == ("LB", "tyre", "shelter|legal_aid")
    assert tyre["phone"] == "+961 7 740 123" and tyre["opening_hours"] == "MO|TU|WE|TH|FR 09:00-16:00"
    assert tyre["languages"] == "ar|fr" and tyre["verified"] == "false" and tyre["address"] == "Main road, Tyre"
    hsds.merge_into(directory_copy, imported)
    loaded = read_directory(directory_copy)  # raises if anything imported is invalid
    assert {"sawa-tyre", "sawa-beirut"} <= {c.id for c in loaded.centres}
    assert directory_problems(loaded, directory_copy) == []


def test_unknown_services_and_far_away_locations_are_refused_with_file_and_line(tmp_path: Path,
                                                                              directory_copy: Path) -> None:
    folder = foreign_hsds(tmp_path / "sawa")
    write(folder / "service.csv", [{"id": "s1", "organization_id": "sawa", "name": "Shelter", "alternate_name": ""},
                                   {"id": "s2", "organization_id": "sawa", "name": "Yoga", "alternate_name": ""}])
    rows = list(csv.DictReader((folder / "location.csv").open(encoding="utf-8")))
    rows[1]["latitude"], rows[1]["longitude"] = "48.85", "2.35"  # Paris
    write(folder / "location.csv", rows)
    before = (directory_copy / "centres.csv").read_text()
    assert hsds.main(["import", str(folder), "--directory", str(directory_copy)]) == 1
    problems = [str(p) for p in hsds.import_tables(folder, directory_copy).problems]
    assert any("service.csv, line 3, field 'name'" in p and "'Yoga'" in p for p in problems), problems
    assert any("location.csv, line 3" in p and "not within 150 km" in p for p in problems), problems
    assert (directory_copy / "centres.csv").read_text() == before  # nothing imported
