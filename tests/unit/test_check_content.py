"""`make check-content`: each check catches a planted error and names the file (and line where it can)."""
from __future__ import annotations

from pathlib import Path

import pytest

from scripts import check_content

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def content(content_copy: Path) -> Path:
    return content_copy


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_real_content_passes_the_fast_checks() -> None:
    assert check_content.directory(ROOT) == []
    assert check_content.translations(ROOT) == []
    assert check_content.hotline(ROOT) == []


@pytest.mark.parametrize("filename,old,new,expected", [
    ("centres.csv", "iom-ly-benghazi,IOM Libya — Benghazi office,iom,LY,benghazi,,32.1167,20.0667",
     "iom-ly-benghazi,IOM Libya — Benghazi office,iom,LY,benghazi,,20.0667,32.1167",
     "centres.csv, line 3, field 'latitude/longitude': 'iom-ly-benghazi': 20.0667, 32.1167 is outside LY"),
    ("places.csv", "benghazi,LY,Benghazi", "benghazi,LY,Benghazi", None),  # unchanged: no problem
    ("countries.csv", "GH,Ghana", "ZZ,Nowhere,Nulle part,لا مكان,origin,,,,,\nGH,Ghana",
     "countries.csv, line 9, field 'code': 'ZZ' is not an ISO 3166-1 alpha-2 country code"),
    ("centres.csv", "iom-ly-benghazi,IOM Libya — Benghazi office,iom,LY,benghazi,,32.1167,20.0667,city,,",
     "iom-ly-benghazi,IOM Libya — Benghazi office,iom,LY,benghazi,,32.1167,20.0667,city,+20 2 2345 6789,",
     "centres.csv, line 3, field 'phone': 'iom-ly-benghazi': '+20 2 2345 6789' is a number of EG, not of LY"),
    ("centres.csv", "city,,return_assistance|health|psychosocial,",
     "city,+218 12345,return_assistance|health|psychosocial,", "is not a valid phone number"),
    ("emergency_numbers.csv", "EG,police,122", "EG,police,99999999999", "emergency_numbers.csv, line 2, field 'number'"),
    ("centres.csv", "iom-ly-benghazi,", "iom-ly-tripoli,", "duplicate id 'iom-ly-tripoli'"),
    ("centres.csv", "iom-ly-benghazi,IOM Libya — Benghazi office,iom,", "iom-ly-benghazi,IOM Libya — Benghazi office,iomm,",
     "unknown organisation 'iomm'"),
    ("centres.csv", "iom-ly-benghazi,IOM Libya — Benghazi office,", "iom-ly-benghazi,,", "line 3, field 'name'"),
])
def test_directory_problems_are_caught(content: Path, filename: str, old: str, new: str, expected: str) -> None:
    replace(content / "data" / "directory" / filename, old, new)
    problems = check_content.directory(content)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p and filename in p for p in problems), problems


def test_translation_problems_are_caught(content: Path) -> None:
    replace(content / "data" / "translations" / "fr.yml", "{minutes} minutes", "{minute} minutes")
    replace(content / "data" / "translations" / "ar.yml", "utter_agent_left:", "utter_agent_gone:")
    problems = check_content.translations(content)
    assert any("fr.yml" in p and "utter_txt_hotline_wait" in p for p in problems), problems
    assert any("ar.yml" in p and "utter_agent_left" in p for p in problems), problems
    assert any("ar.yml" in p and "utter_agent_gone" in p for p in problems), problems


def test_hotline_settings_problems_are_caught(content: Path) -> None:
    replace(content / "data" / "hotline.yml", "timezone: Africa/Tripoli", "timezone: Africa/Atlantis")
    assert any("hotline.yml" in p for p in check_content.hotline(content))


def test_privacy_settings_problems_are_caught(content: Path) -> None:
    assert check_content.privacy(content) == []
    replace(content / "data" / "privacy.yml", "retention_days: 90", "retention_days: 0")
    assert any("privacy.yml" in p and "retention_days" in p for p in check_content.privacy(content))


def test_story_problems_and_unknown_intents_are_caught(content: Path) -> None:
    replace(content / "data" / "stories" / "stories.yml", "- intent: greet", "- intent: greeet")
    problems = check_content.rasa_data(content)
    assert any("greeet" in p for p in problems), problems


def test_the_command_fails_and_lists_every_problem(content: Path, capsys) -> None:
    replace(content / "data" / "directory" / "places.csv", "benghazi,LY,Benghazi", "benghazi,LX,Benghazi")
    replace(content / "data" / "translations" / "fr.yml", "{minutes} minutes", "{minute} minutes")
    check_content.CHECKS, saved = [c for c in check_content.CHECKS if c[1] is not check_content.rasa_data], \
        check_content.CHECKS
    try:
        assert check_content.main(["check_content", str(content)]) == 1
    finally:
        check_content.CHECKS = saved
    err = capsys.readouterr().err
    assert "places.csv" in err and "unknown country 'LX'" in err and "fr.yml" in err and "nothing was published" in err
