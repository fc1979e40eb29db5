"""What each document adds to its export beyond its own files and the dumps: ``links.csv``, indexes, stores.

A :class:`Product` has two halves, so that the work per document stays in the workers:

* ``make(record, triples, iris)`` runs where the document is rendered, with the linked
  record and its triples in hand, and returns the document's *piece* (bytes), which
  travels with the document through the key sort;
* ``writer(generation, context)`` runs in the main process: the pass in key order gives
  it every document (:class:`Published`: key, piece, triples, change) and every deleted
  key, in key order, then closes it; it writes into the new generation's folder.

Adding a product is one module that calls :func:`register`, imported once by
:mod:`lod.publish` (its list of products).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

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
    name: str
    make: Callable[[Record, Triples, object], bytes]
    writer: Callable[[Path, Context], Writer]


_PRODUCTS: dict[str, Product] = {}


def register(product: Product) -> Product:
    if product.name in _PRODUCTS:
        raise ValueError(f"product {product.name!r} is registered twice")
    _PRODUCTS[product.name] = product
    return product


def registered() -> tuple[Product, ...]:
    return tuple(_PRODUCTS.values())
