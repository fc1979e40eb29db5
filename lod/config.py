"""Configuration as one validated value: ``lod.toml`` plus command-line overrides.

Validation has no side effects; errors name the file, the key and the valid choices.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from pyoxigraph import NamedNode

from lod.errors import ConfigError, Place
from lod.iris import Iris, iris
from lod.limits import LIMIT_NAMES, Limits
from lod.vocab import catalogue_terms

DEFAULT_FILE = "lod.toml"
#: The vocabulary profiles of a description unless lod.toml or --profiles choose others.
DEFAULT_PROFILES = ("dcterms", "schema")
#: The dataset's publisher unless lod.toml says otherwise; also the data provider aggregators are told of.
DEFAULT_PUBLISHER = "History and Public Policy Program, Wilson Center"
_IRI = re.compile(r"https?://")


@dataclass(frozen=True)
class Providers:
    """Who hands the records to aggregators, as Europeana's EDM and DPLA's MAP name them: the
    **data provider** (the institution the records come from) and the **provider** (who delivers
    them: an aggregator, or the data provider itself when it delivers directly). Each an IRI
    (``http(s)://…``, written as a link) or a name (written as text)."""

    data_provider: str = DEFAULT_PUBLISHER
    provider: str = ""  # "": the data provider delivers directly

    @property
    def delivered_by(self) -> str:
        return self.provider or self.data_provider


def is_iri(value: str) -> bool:
    """Whether a provider is given as an IRI (else it is a name)."""
    return _IRI.match(value) is not None


@dataclass(frozen=True)
class Settings:
    """What the triples of a record depend on besides the record (the mapping's settings)."""

    base: str = "http://localhost:8080/"
    text_language: str = "en"  # language of titles, summaries and bodies (the translations)
    profiles: tuple[str, ...] = DEFAULT_PROFILES  # names in lod.map.profiles, in the order they run
    providers: Providers = Providers()  # named in the aggregation of every EDM description

    @property
    def iris(self) -> Iris:
        return iris(self.base)



@dataclass(frozen=True)
class Dataset:
    """How the dataset describes itself (VoID / DCAT / schema.org Dataset)."""

    title: str = "Wilson Center Digital Archive documents as linked data"
    title_language: str = "en"
    description: str = ("Translated historical documents (telegrams, reports, records of "
                        "conversations) described with Dublin Core and schema.org.")
    license: str = "http://creativecommons.org/publicdomain/zero/1.0/"
    publisher: str = DEFAULT_PUBLISHER
    publisher_url: str = "https://www.wilsoncenter.org/program/history-and-public-policy-program"
    #: The DCAT contact point's e-mail address ("": the contact point has the publisher's name and URL).
    contact_email: str = ""
    #: EU data themes (codes of vocab/catalogue.tsv): diplomatic documents (INTR) an archive holds (EDUC).
    themes: tuple[str, ...] = ("INTR", "EDUC")
    #: ADMS publisher type (a code of vocab/catalogue.tsv), "" when not said.
    publisher_type: str = ""


@dataclass(frozen=True)
class Config:
    settings: Settings = Settings()
    dataset: Dataset = field(default_factory=Dataset)
    limits: Limits = Limits()


@dataclass(frozen=True)
class ExportOptions:
    """How one export runs; what it writes follows from the :class:`Config` and ``outputs``.

    ``outputs``: formats and optional products by name (``--formats``; None: the defaults).
    ``workers``: processes that render (1: this process). ``chunk_triples``: the largest dump
    file. ``sort_bytes``: memory for each on-disk sort (and how often a checkpoint is written).
    ``resume``: carry on from a killed run of the same export. ``now``: the export's clock
    (None: ``SOURCE_DATE_EPOCH``, else the time now).
    """

    outputs: tuple[str, ...] | None = None
    workers: int = 1
    chunk_triples: int = 500_000
    sort_bytes: int = 16 << 20
    resume: bool = True
    now: str | None = None


#: Every key lod.toml may hold, with its type (a table: its keys); anything else is refused.
KEYS = {
    "base": str, "text_language": str, "profiles": list,
    "dataset": {"title": str, "title_language": str, "description": str, "license": str,
                "publisher": str, "publisher_url": str, "contact_email": str, "themes": list,
                "publisher_type": str},
    "limits": dict.fromkeys(LIMIT_NAMES, int),
    "providers": {"data_provider": str, "provider": str},
}
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+\Z")


def load_config(path: str | None = None, base: str | None = None,
                profiles: tuple[str, ...] | None = None) -> Config:
    """Read ``path`` (or ./lod.toml when present) and apply overrides (``--base``, ``--profiles``).

    Profile names are checked where the profiles are known (:func:`lod.map.profiles.chosen`).
    """
    file = Path(path) if path else Path(DEFAULT_FILE)
    values: dict = {}
    if path or file.exists():
        try:
            values = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("configuration file not found", Place(str(file))) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"not valid TOML ({error})", Place(str(file))) from None
        _check(values, KEYS, str(file))
    settings = Settings()
    if "base" in values or base:
        settings = replace(settings, base=base or values["base"])
    if "text_language" in values:
        settings = replace(settings, text_language=values["text_language"])
    if profiles or "profiles" in values:
        chosen = profiles or values["profiles"]
        if not all(isinstance(name, str) for name in chosen) or not chosen:
            raise ConfigError("'profiles' must be a list of profile names", Place(str(file)))
        settings = replace(settings, profiles=tuple(dict.fromkeys(chosen)))
    try:
        Iris(settings.base)
    except ValueError as error:
        raise ConfigError(str(error), Place(str(file) if not base else "--base")) from None
    dataset = _dataset(values.get("dataset", {}), Place(str(file)))
    given = values.get("providers", {})
    providers = Providers(data_provider=given.get("data_provider", dataset.publisher),
                          provider=given.get("provider", ""))
    for key in ("data_provider", "provider"):
        _check_provider(getattr(providers, key), f"providers.{key}", str(file), required=key == "data_provider")
    try:
        limits = Limits(**values.get("limits", {}))
    except ValueError as error:
        raise ConfigError(str(error), Place(str(file))) from None
    return Config(settings=replace(settings, providers=providers), dataset=dataset, limits=limits)


def _check_provider(value: str, name: str, file: str, required: bool) -> None:
    """A provider is a name on one line or an IRI an RDF parser accepts."""
    if not value.strip():
        if required:
            raise ConfigError(f"{name!r} must not be empty (a name, or an IRI)", Place(file))
        return
    if value != value.strip() or "\n" in value:
        raise ConfigError(f"{name!r} must be a name on one line, without surrounding spaces", Place(file))
    if is_iri(value):
        try:
            NamedNode(value)
        except ValueError:
            raise ConfigError(f"{name!r} is not a valid IRI: {value!r}", Place(file)) from None


def _dataset(values: dict, place: Place) -> Dataset:
    """The ``[dataset]`` table, its e-mail address and its controlled-vocabulary codes checked."""
    values = dict(values)
    if "themes" in values:
        if not all(isinstance(theme, str) for theme in values["themes"]):
            raise ConfigError("'dataset.themes' must be a list of strings", place)
        values["themes"] = tuple(values["themes"])
    dataset = Dataset(**values)
    if dataset.contact_email and not _EMAIL.match(dataset.contact_email):
        raise ConfigError(f"'dataset.contact_email' is not an e-mail address: {dataset.contact_email!r}", place)
    terms = catalogue_terms()
    for key, codes, scheme in (("themes", dataset.themes, "data-theme"),
                               ("publisher_type", (dataset.publisher_type,) if dataset.publisher_type else (),
                                "publisher-type")):
        unknown = [code for code in codes if code not in terms[scheme]]
        if unknown:
            raise ConfigError(f"'dataset.{key}': unknown {', '.join(map(repr, unknown))}; "
                              f"choose from {', '.join(terms[scheme])}", place)
    return dataset


def _check(values: dict, schema: dict, file: str, section: str = "") -> None:
    for key, value in values.items():
        name = f"{section}{key}"
        if key not in schema:
            raise ConfigError(f"unknown key {name!r}; valid keys: {', '.join(sorted(schema))}",
                              Place(file))
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{name!r} must be a table", Place(file))
            _check(value, expected, file, f"{name}.")
        elif not isinstance(value, expected):
            raise ConfigError(f"{name!r} must be a {expected.__name__}", Place(file))
