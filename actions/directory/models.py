"""SQLAlchemy models of the directory database (SQLite by default, any SQLAlchemy URL in production)."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Country(Base):
    __tablename__ = "countries"
    code = Column(String(2), primary_key=True)
    names = Column(JSON, nullable=False)  # {"en": "Libya", "fr": "Libye", "ar": "ليبيا", ...}
    role = Column(String, nullable=False)  # host | origin
    alt_names = Column(JSON, nullable=False, default=list)


class Place(Base):
    """A gazetteer entry: one place, its names in every language and spelling, its coordinates."""

    __tablename__ = "places"
    id = Column(String, primary_key=True)
    country_code = Column(String(2), ForeignKey("countries.code"), nullable=False, index=True)
    names = Column(JSON, nullable=False)  # per language, from the name_<code> columns
    alt_names = Column(JSON, nullable=False, default=list)
    position = Column(Integer, nullable=False, default=0)  # order in places.csv: main city first
    latitude = Column(Float, nullable=False)
    longitude = Column(Float, nullable=False)
    country = relationship(Country)


class Organisation(Base):
    __tablename__ = "organisations"
    id = Column(String, primary_key=True)
    name = Column(String, nullable=False)
    kind = Column(String, nullable=False)
    website = Column(String)
    source = Column(Text, nullable=False)


class ServiceType(Base):
    __tablename__ = "service_types"
    id = Column(String, primary_key=True)
    names = Column(JSON, nullable=False)


class Centre(Base):
    __tablename__ = "centres"
    id = Column(String, primary_key=True)
    name = Column(String, nullable=False)
    organisation_id = Column(String, ForeignKey("organisations.id"), nullable=False)
    country_code = Column(String(2), ForeignKey("countries.code"), nullable=False, index=True)
    place_id = Column(String, ForeignKey("places.id"), nullable=False)
    address = Column(String)
    latitude = Column(Float, nullable=False)
    longitude = Column(Float, nullable=False)
    location_precision = Column(String, nullable=False)  # exact | city
    phone = Column(String)
    languages = Column(JSON, nullable=False, default=list)
    opening_hours = Column(String)
    serves_regardless_of_status = Column(Boolean, nullable=False)
    serves_nationals_of = Column(String(2))
    source = Column(Text, nullable=False)
    verified = Column(Boolean, nullable=False, default=False)
    last_verified = Column(Date)
    organisation = relationship(Organisation)
    place = relationship(Place)
    services = relationship("CentreService", cascade="all, delete-orphan")

    @property
    def service_ids(self) -> list[str]:
        return [s.service_type_id for s in self.services]


class CentreService(Base):
    __tablename__ = "centre_services"
    centre_id = Column(String, ForeignKey("centres.id"), primary_key=True)
    service_type_id = Column(String, ForeignKey("service_types.id"), primary_key=True, index=True)


class EmergencyService(Base):
    __tablename__ = "emergency_services"
    id = Column(String, primary_key=True)
    names = Column(JSON, nullable=False)


class EmergencyNumber(Base):
    __tablename__ = "emergency_numbers"
    id = Column(Integer, primary_key=True, autoincrement=True)
    country_code = Column(String(2), ForeignKey("countries.code"), nullable=False, index=True)
    service = Column(String, ForeignKey("emergency_services.id"), nullable=False)
    number = Column(String, nullable=False)
    source = Column(Text, nullable=False)
    service_type = relationship(EmergencyService)


class Programme(Base):
    __tablename__ = "programmes"
    id = Column(String, primary_key=True)
    position = Column(Integer, nullable=False)
    name = Column(JSON, nullable=False)  # {"en": ..., "fr": ...}: every text below is per language
    operator_id = Column(String, ForeignKey("organisations.id"), nullable=False)
    summary = Column(JSON, nullable=False)
    next_step = Column(JSON, nullable=False)
    source = Column(Text, nullable=False)
    criteria = relationship(
        "ProgrammeCriterion", order_by="ProgrammeCriterion.position", cascade="all, delete-orphan"
    )


class ProgrammeCriterion(Base):
    """One requirement of a programme; it holds when any of its conditions (JSON list) holds."""

    __tablename__ = "programme_criteria"
    id = Column(Integer, primary_key=True, autoincrement=True)
    programme_id = Column(String, ForeignKey("programmes.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    key = Column(String, nullable=False)
    conditions = Column(JSON, nullable=False)
    met = Column(JSON, nullable=False)
    unmet = Column(JSON, nullable=False)
    on_fail = Column(String)


class ReturnStep(Base):
    __tablename__ = "return_steps"
    id = Column(Integer, primary_key=True, autoincrement=True)
    programme_id = Column(String, ForeignKey("programmes.id"), nullable=False, index=True)
    phase = Column(String, nullable=False)
    phase_position = Column(Integer, nullable=False)
    phase_title = Column(JSON, nullable=False)
    position = Column(Integer, nullable=False)
    title = Column(JSON, nullable=False)
    text = Column(JSON, nullable=False)
    source = Column(Text, nullable=False)


class WageAvenue(Base):
    __tablename__ = "wage_avenues"
    id = Column(Integer, primary_key=True, autoincrement=True)
    avenue_key = Column(String, nullable=False)
    country_code = Column(String(2), ForeignKey("countries.code"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    kind = Column(String, nullable=False)
    title = Column(JSON, nullable=False)
    text = Column(JSON, nullable=False)
    evidence = Column(JSON, nullable=False)
    deadline = Column(JSON, nullable=False)
    open_after_departure = Column(Boolean, nullable=False)
    source = Column(Text, nullable=False)


class FormOption(Base):
    """An answer option of the eligibility form (situation, vulnerabilities) and its keywords."""

    __tablename__ = "form_options"
    id = Column(Integer, primary_key=True, autoincrement=True)
    field = Column(String, nullable=False, index=True)
    value = Column(String, nullable=False)
    keywords = Column(JSON, nullable=False)


class FormField(Base):
    __tablename__ = "form_fields"
    name = Column(String, primary_key=True)
    position = Column(Integer, nullable=False)
    optional = Column(Boolean, nullable=False)


class DirectoryVersion(Base):
    """One row: a new value at every load, so that what the actions keep from the directory
    (actions/directory/cache.py) is read again after a load and never before."""

    __tablename__ = "directory_version"
    version = Column(String, primary_key=True)
