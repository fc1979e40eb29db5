"""What each document adds to its export beyond its own files and the dumps: ``links.csv``, indexes, stores.

A :class:`Product` has two halves, so that the work per document stays in the workers:

* ``make(record, triples, iris)`` runs where the document is rendered, with the linked
  record and its triples in hand, and returns the document's *piece* (bytes), which
  travels with the document through the key sort;
* ``writer(generation, context)`` runs in the main process: the pass in key order gives
  it every document (:class:`Published`: key, piece, triples, change) and every deleted
  key, in key order, then closes it; it writes into the new generation's folder.

Adding a product is one module that calls :func:`register`, imported once by
:mod:`lod.publish` (its list of products). An *optional* product (the SPARQL store) is
chosen or left out with the formats: :func:`choose` reads ``--formats`` for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from lod import serialize
from lod.model import Record
from lod.terms import Triples


@dataclass(frozen=True)
class Published:
    """One document as the pass in key order hands it to the products' writers."""

    key: str
    digest: str
    nt: bytes  # its N-Triples: its own lines, then the lines it shares with other documents
    own: int  # bytes of ``nt`` that are its own lines
    pieces: dict[str, bytes]  # each product's piece, by product name
    change: str | None  # "Create", "Update", or None when unchanged since the last export


@dataclass(frozen=True)
class Context:
    """What a product's writer may need besides the documents."""

    previous: Path | None  # the current generation (None before the first export)
    base: str
    options: dict = field(default_factory=dict)


class Writer(Protocol):
    def add(self, document: Published) -> None: ...

    def delete(self, key: str) -> None: ...

    def close(self) -> None: ...

    def discard(self) -> None: ...


@dataclass(frozen=True)
class Product:
    """``make``: None when the writer needs nothing but :class:`Published`'s fields.
    ``optional``: chosen with ``--formats`` (and written unless left out); else always written."""

    name: str
    make: Callable[[Record, Triples, object], bytes] | None
    writer: Callable[[Path, Context], Writer]
    label: str = ""
    optional: bool = False


_PRODUCTS: dict[str, Product] = {}


def register(product: Product) -> Product:
    if product.name in _PRODUCTS:
        raise ValueError(f"product {product.name!r} is registered twice")
    _PRODUCTS[product.name] = product
    return product


def registered() -> tuple[Product, ...]:
    return tuple(_PRODUCTS.values())


@dataclass(frozen=True)
class Outputs:
    """What an export writes, as ``--formats`` names it: formats of :mod:`lod.serialize` and
    optional products (the products that are not optional are always written)."""

    formats: tuple[str, ...]
    products: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.formats + self.products

    def writes(self, product: Product) -> bool:
        return not product.optional or product.name in self.products


def optional() -> tuple[Product, ...]:
    return tuple(p for p in _PRODUCTS.values() if p.optional)


def default_outputs() -> tuple[str, ...]:
    """``--formats`` when not given: the default formats and every optional product."""
    return serialize.default_outputs() + tuple(p.name for p in optional())


def choices() -> str:
    """Every name ``--formats`` takes, with what it writes (for help texts)."""
    return ", ".join([*(f"{f.name} ({f.label}{' files' if f.per_document else ''}"
                        f"{' and dump' if f.per_document and f.dump else '' if f.per_document else ' dump'})"
                        for f in serialize.formats() if f.exportable),
                      *(f"{p.name} ({p.label})" for p in optional())])


def choose(names: Iterable[str]) -> Outputs:
    """The outputs ``names`` (``--formats``) choose, each kind in registry order.

    Raises ValueError naming the choices for an unknown or unexportable name, or when a
    format every export needs is missing.
    """
    names = [name.strip() for name in names if name.strip()]
    products = {p.name for p in optional()}
    chosen = {name.lower() for name in names} & products
    try:
        formats = serialize.outputs([name for name in names if name.lower() not in products])
    except (KeyError, ValueError):
        needed = ", ".join(f.name for f in serialize.formats() if f.required)
        names_only = [f.name for f in serialize.formats() if f.exportable] + [p.name for p in optional()]
        raise ValueError(f"choose from {', '.join(names_only)}; {needed} is always written") from None
    return Outputs(tuple(f.name for f in formats), tuple(p.name for p in optional() if p.name in chosen))
