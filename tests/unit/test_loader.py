import sqlite3
from pathlib import Path

import pytest

from actions.directory.load import DirectoryError, load_directory, read_directory
from tests.conftest import DIRECTORY


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder: Path) -> list:
    with pytest.raises(DirectoryError) as error:
        read_directory(folder)
    return [str(p) for p in error.value.problems]


def test_the_shipped_directory_loads(tmp_path):
    d = load_directory(DIRECTORY, f"sqlite:///{tmp_path / 'd.db'}")
    hosts = {c.code for c in d.countries if c.role == "host"}
    assert {"LY", "EG", "TN", "LB", "JO"} <= hosts
    for code in hosts:
        centres = [c for c in d.centres if c.country == code]
        assert len(centres) >= 3 and len({c.place for c in centres}) >= 2, code
    assert all(not c.verified for c in d.centres), "nothing is verified until a person verifies it"


def test_bad_coordinate_is_named_by_file_line_and_field(directory_copy):
    replace_in(directory_copy / "centres.csv", ",32.1167,20.0667,city,,return_assistance",
               ",north,20.0667,city,,return_assistance")
    [problem] = problems_of(directory_copy)
    assert "centres.csv, line 3, field 'latitude'" in problem


def test_unknown_service_and_dangling_place_are_rejected(directory_copy):
    replace_in(directory_copy / "centres.csv", "tamkeen-amman,Tamkeen Fields for Aid — Amman,tamkeen,JO,amman",
               "tamkeen-amman,Tamkeen Fields for Aid — Amman,tamkeen,JO,atlantis")
    replace_in(directory_copy / "centres.csv", "legal_aid|labour_rights", "legal_aid|karaoke")
    problems = problems_of(directory_copy)
    assert any("unknown place 'atlantis'" in p for p in problems)
    assert any("unknown service type 'karaoke'" in p for p in problems)


def test_unquoted_comma_and_bad_phone_are_rejected(directory_copy):
    replace_in(directory_copy / "centres.csv", "IOM Libya — Benghazi office,", "IOM Libya, Benghazi office,")
    replace_in(directory_copy / "centres.csv", "tamkeen-amman,Tamkeen Fields for Aid — Amman,tamkeen,JO,amman,,31.9539,35.9106,city,,",
               "tamkeen-amman,Tamkeen Fields for Aid — Amman,tamkeen,JO,amman,,31.9539,35.9106,city,06 123,")
    problems = problems_of(directory_copy)
    assert any("line 3" in p and "more cells than columns" in p for p in problems)
    assert any("field 'phone'" in p for p in problems)


def test_criteria_with_an_unknown_operator_are_rejected(directory_copy):
    replace_in(directory_copy / "programmes.yml", "op: not_empty", "op: maybe")
    problems = problems_of(directory_copy)
    assert any("programmes.yml" in p and "programmes[avrr].criteria.4.any.2.op" in p for p in problems)


def test_a_verified_centre_needs_a_date(directory_copy):
    replace_in(directory_copy / "centres.csv", "(2011),false,", "(2011),true,")
    assert any("last_verified" in p for p in problems_of(directory_copy))


def test_failed_load_leaves_the_previous_database_untouched(directory_copy, tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    load_directory(directory_copy, url)
    before = (tmp_path / "d.db").read_bytes()
    replace_in(directory_copy / "places.csv", "32.1167,20.0667", "132.1167,20.0667")
    with pytest.raises(DirectoryError):
        load_directory(directory_copy, url)
    assert (tmp_path / "d.db").read_bytes() == before
    count = sqlite3.connect(tmp_path / "d.db").execute("select count(*) from centres").fetchone()[0]
    assert count == len((DIRECTORY / "centres.csv").read_text().splitlines()) - 1


def test_a_new_language_column_is_data_only(directory_copy, tmp_path):
    places = directory_copy / "places.csv"
    lines = places.read_text(encoding="utf-8").splitlines()
    lines[0] += ",name_sw"
    lines[1:] = [line + (",Tripoli ya Libya" if line.startswith("tripoli-ly,") else ",") for line in lines[1:]]
    places.write_text("\n".join(lines) + "\n", encoding="utf-8")
    d = load_directory(directory_copy, f"sqlite:///{tmp_path / 'd.db'}")
    tripoli = next(p for p in d.places if p.id == "tripoli-ly")
    assert tripoli.names["sw"] == "Tripoli ya Libya" and "sw" not in next(p for p in d.places if p.id == "cairo").names


def test_the_english_name_is_required(directory_copy):
    replace_in(directory_copy / "service_types.csv", "shelter,shelter,", "shelter,,")
    assert any("service_types.csv, line 2" in p and "name_en" in p for p in problems_of(directory_copy))


def test_a_load_that_fails_while_writing_leaves_no_half_built_file(tmp_path, monkeypatch):
    from actions.directory import load

    def broken_records(directory):
        original(directory)
        raise RuntimeError("disk full")  # after the schema is created, half way through the write

    original = load._records
    monkeypatch.setattr(load, "_records", broken_records)
    with pytest.raises(RuntimeError):
        load_directory(DIRECTORY, f"sqlite:///{tmp_path / 'd.db'}")
    assert list(tmp_path.iterdir()) == []  # neither the database nor a temporary file


def test_the_database_is_readable_by_its_owner_only(tmp_path):
    # Issue 18, 12b: it is written by a command run with a permissive umask, over a world-readable file.
    import os
    import stat
    import subprocess
    import sys

    from tests.conftest import ROOT

    target = tmp_path / "var" / "directory.db"
    target.parent.mkdir()
    target.write_bytes(b"")
    target.chmod(0o644)
    env = dict(os.environ, PYTHONPATH=str(ROOT), HAVEN_DATABASE_URL=f"sqlite:///{target}")
    subprocess.run(["sh", "-c", f"umask 022 && exec '{sys.executable}' -m actions.directory.load '{DIRECTORY}'"],
                   env=env, cwd=ROOT, check=True, capture_output=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sqlite3.connect(target).execute("select count(*) from centres").fetchone()[0] == \
        len((DIRECTORY / "centres.csv").read_text().splitlines()) - 1
