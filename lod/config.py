"""Configuration as one validated value: ``lod.toml`` plus command-line overrides.

Validation has no side effects; errors name the file, the key and the valid choices.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from lod.errors import ConfigError, Place
from lod.limits import LIMIT_NAMES, Limits
from lod.map import Settings
from lod.map.iris import Iris

DEFAULT_FILE = "lod.toml"


@dataclass(frozen=True)
class Dataset:
    """How the dataset describes itself (VoID / DCAT / schema.org Dataset)."""

    title: str = "Wilson Center Digital Archive documents as linked data"
    title_language: str = "en"
    description: str = ("Translated historical documents (telegrams, reports, records of "
                        "conversations) described with Dublin Core and schema.org.")
    license: str = "http://creativecommons.org/publicdomain/zero/1.0/"
    publisher: str = "History and Public Policy Program, Wilson Center"
    publisher_url: str = "https://www.wilsoncenter.org/program/history-and-public-policy-program"


@dataclass(frozen=True)
class Config:
    settings: Settings = Settings()
    dataset: Dataset = field(default_factory=Dataset)
    limits: Limits = Limits()


_SECTIONS = {
    "base": str, "text_language": str,
    "dataset": {"title": str, "title_language": str, "description": str, "license": str,
                "publisher": str, "publisher_url": str},
    "limits": dict.fromkeys(LIMIT_NAMES, int),
}


def load_config(path: str | None = None, base: str | None = None) -> Config:
    """Read ``path`` (or ./lod.toml when present) and apply overrides."""
    file = Path(path) if path else Path(DEFAULT_FILE)
    values: dict = {}
    if path or file.exists():
        try:
            values = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("configuration file not found", Place(str(file))) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"not valid TOML ({error})", Place(str(file))) from None
        _check(values, _SECTIONS, str(file))
    settings = Settings()
    if "base" in values or base:
        settings = replace(settings, base=base or values["base"])
    if "text_language" in values:
        settings = replace(settings, text_language=values["text_language"])
    try:
        Iris(settings.base)
    except ValueError as error:
        raise ConfigError(str(error), Place(str(file) if not base else "--base")) from None
    dataset = Dataset(**values.get("dataset", {}))
    try:
        limits = Limits(**values.get("limits", {}))
    except ValueError as error:
        raise ConfigError(str(error), Place(str(file))) from None
    return Config(settings=settings, dataset=dataset, limits=limits)


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
