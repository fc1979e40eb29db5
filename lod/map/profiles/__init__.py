"""The vocabulary profiles: each a small object that says how a record becomes triples in one vocabulary.

A :class:`Profile` is a table of :class:`Rule` (record field -> property of the document)
plus, where a table cannot say it, two hooks: ``document`` adds nodes and constants
about the document (a classification node, an aggregation), ``entity`` types and names
each person, organization and place in the profile's own terms. :func:`lod.map.map_record`
runs the chosen profiles in order; ``lod mapping`` prints every registered profile, and the
mapping tables of docs/mapping.md are that output (a test keeps them equal).

Adding a profile is one module that calls :func:`register` (listed in ``_BUILT_IN`` below)
plus its test and docs; other packages can add profiles through the ``lod.profiles`` entry
point group, as ckanext-dcat does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points
from typing import NamedTuple

from lod.errors import ConfigError


class Rule(NamedTuple):
    """Record field -> predicate. ``term`` says how values become RDF terms.

    term: ``text`` (literal in the text language), ``string`` (plain literal),
    ``date`` (xsd:date / gYearMonth / gYear by precision; nothing when uncertain),
    ``date or text`` (the same, or when uncertain the text as printed, a plain literal:
    ``Spring 195?`` is kept, not dropped), ``language`` (BCP 47), ``iri`` (an IRI value), ``entity`` (the role's entities),
    ``concept`` (subjects as skos:Concept), ``property`` (the document's node of that name,
    made by the profile's document hook), ``const`` (the fixed IRI in ``value``).
    """

    field: str
    predicate: str
    term: str
    value: str | None = None


#: ``add((subject, predicate, object))``: how a profile's hooks add triples.
Add = Callable[[tuple], None]


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    rules: tuple[Rule, ...]
    #: ``document(add, record, settings)``: what the table cannot say about the document (settings:
    #: :class:`lod.config.Settings`, for its IRIs, text language and providers).
    document: Callable | None = None
    #: ``entity(add, node, entity, role, text_language)``: the profile's typing and naming of an entity.
    entity: Callable | None = None
    #: False for a profile only the formats that render it use (EDM: an aggregator's delivery
    #: form), never the descriptions: ``profiles = [...]`` refuses it.
    describes: bool = True


_REGISTRY: dict[str, Profile] = {}
_BUILT_IN = ("lod.map.profiles.dcterms", "lod.map.profiles.schema", "lod.map.profiles.edm")


def register(profile: Profile) -> Profile:
    if profile.name in _REGISTRY:
        raise ValueError(f"profile {profile.name!r} is registered twice")
    _REGISTRY[profile.name] = profile
    return profile


def registered() -> tuple[Profile, ...]:
    """Every profile lod knows, built-in ones first."""
    _load()
    return tuple(_REGISTRY.values())


def chosen(names: tuple[str, ...], descriptions: bool = False) -> tuple[Profile, ...]:
    """The profiles called ``names``, in that order; a ConfigError names the choices for an unknown one
    (``descriptions``: the descriptions' profiles, which a profile that does not describe cannot be)."""
    _load()
    unknown = [name for name in names if name not in _REGISTRY]
    if unknown:
        raise ConfigError(f"unknown profile {', '.join(map(repr, unknown))}; "
                          f"profiles: {', '.join(n for n, p in _REGISTRY.items() if p.describes or not descriptions)}")
    refused = [name for name in names if descriptions and not _REGISTRY[name].describes]
    if refused:
        raise ConfigError(f"profile {', '.join(map(repr, refused))} is rendered by its own output only, not by the "
                          f"descriptions (lod export --formats +{refused[0]})")
    return tuple(_REGISTRY[name] for name in names)


_LOADED: list[bool] = []


def _load() -> None:
    if _LOADED:
        return
    _LOADED.append(True)
    for module in _BUILT_IN:
        import_module(module)
    for entry in entry_points(group="lod.profiles"):
        entry.load()
