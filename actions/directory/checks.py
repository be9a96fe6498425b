"""Content checks beyond the file schemas, for `make check-content`: real ISO 3166 country codes
(pycountry), coordinates inside the named country's bounding box, phone numbers that are valid
international numbers of the centre's own country and emergency numbers that are valid short numbers
there (phonenumbers). Each problem names the file, the line and the field."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import phonenumbers
import pycountry
from phonenumbers import shortnumberinfo

from actions.directory.load import Directory, Problem


def line_numbers(path: Path, key: str) -> Dict[str, int]:
    """Record key -> line of a CSV file, so problems found after parsing still point at a line."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return {row.get(key) or "": reader.line_num for row in reader}


def is_iso_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


def inside(bounds: Tuple[float, float, float, float], latitude: float, longitude: float) -> bool:
    south, west, north, east = bounds
    return south <= latitude <= north and west <= longitude <= east


def phone_problem(number: str, country: str) -> Optional[str]:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as error:
        return f"{number!r} is not an international phone number (+ and country code): {error}"
    if not phonenumbers.is_valid_number(parsed):
        return f"{number!r} is not a valid phone number"
    region = phonenumbers.region_code_for_number(parsed)
    if region != country:
        return f"{number!r} is a number of {region}, not of {country}"
    return None


def emergency_number_problem(number: str, country: str) -> Optional[str]:
    """Emergency numbers are national short numbers (122) or full international numbers. A short number
    must have a length the country uses for short numbers (libphonenumber's data does not list every
    service's number, e.g. Lebanon's civil defence, 125)."""
    if number.startswith("+"):
        return phone_problem(number, country)
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException as error:
        return f"{number!r} is not a phone number: {error}"
    if shortnumberinfo.is_possible_short_number_for_region(parsed, country) or phonenumbers.is_valid_number(parsed):
        return None
    return f"{number!r} is not a valid short or national number in {country}"


def directory_problems(d: Directory, folder: Path) -> List[Problem]:
    problems: List[Problem] = []
    country_lines = line_numbers(folder / "countries.csv", "code")
    place_lines = line_numbers(folder / "places.csv", "id")
    centre_lines = line_numbers(folder / "centres.csv", "id")
    countries = {c.code: c for c in d.countries}

    def add(filename: str, line: Optional[int], field: str, message: str) -> None:
        problems.append(Problem(str(folder / filename), line, field, message))

    for country in d.countries:
        if not is_iso_country(country.code):
            add("countries.csv", country_lines.get(country.code), "code",
                f"{country.code!r} is not an ISO 3166-1 alpha-2 country code")
    for filename, lines, records in (("places.csv", place_lines, d.places), ("centres.csv", centre_lines, d.centres)):
        for record in records:
            country = countries.get(record.country)
            if country is None:
                continue  # reported as a dangling reference by the loader
            if country.bounds is None:
                add(filename, lines.get(record.id), "country",
                    f"{record.id!r}: {record.country} has no bounding box in countries.csv (min_lat, min_lon, "
                    "max_lat, max_lon), so its coordinates cannot be checked")
            elif not inside(country.bounds, record.latitude, record.longitude):
                add(filename, lines.get(record.id), "latitude/longitude",
                    f"{record.id!r}: {record.latitude}, {record.longitude} is outside {record.country} "
                    "(latitude and longitude swapped, or a sign missing?)")
    for centre in d.centres:
        if centre.phone:
            problem = phone_problem(centre.phone, centre.country)
            if problem:
                add("centres.csv", centre_lines.get(centre.id), "phone", f"{centre.id!r}: {problem}")
    with (folder / "emergency_numbers.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            problem = emergency_number_problem((row.get("number") or "").strip(), (row.get("country") or "").strip())
            if problem:
                add("emergency_numbers.csv", reader.line_num, "number", problem)
    return problems
