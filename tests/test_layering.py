"""The tree shows the flow: a stage imports only the leaves, its own package and earlier stages.

read -> link -> map -> serialize -> publish -> serve; the leaves (model, errors, vocab,
terms, config, iris, limits, orphans) import only leaves; no module imports another package's
private names. The wiring modules (pipeline, render, engine, cli) may use every stage.
Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LOD = Path(__file__).resolve().parents[1] / "lod"
STAGES = ("read", "link", "map", "serialize", "publish", "serve")
LEAVES = ("model", "errors", "vocab", "terms", "config", "iris", "limits", "orphans")
WIRING = ("pipeline", "render", "engine", "cli", "__main__", "__init__")


def part_of(module: str) -> str:
    """``lod.read.page.old`` -> ``read``; ``lod.model`` -> ``model``; ``lod`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path, module: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found += [(base, alias.name, node.lineno) for alias in node.names]
    return [(name, what, line) for name, what, line in found if name == "lod" or name.startswith("lod.")]


def modules() -> list[tuple[Path, str]]:
    return [(path, ".".join(("lod", *path.relative_to(LOD).with_suffix("").parts)).removesuffix(".__init__"))
            for path in sorted(LOD.rglob("*.py"))]


def problems(files: list[tuple[Path, str]]) -> list[str]:
    found = []
    for path, module in files:
        mine = part_of(module)
        for target, name, line in imports(path, module):
            theirs = part_of(target) if target != "lod" else (part_of(f"lod.{name}") if name else "__init__")
            where = f"{path.name}:{line}: {module} imports {target}{'.' + name if name else ''}"
            if mine in WIRING or theirs == mine:
                pass
            elif theirs in WIRING and theirs != "__init__":
                found.append(f"{where} (wiring is for the wiring modules only)")
            elif mine in LEAVES and theirs not in LEAVES and theirs != "__init__":
                found.append(f"{where} (a leaf imports only leaves)")
            elif mine in STAGES and theirs in STAGES and STAGES.index(theirs) > STAGES.index(mine):
                found.append(f"{where} (a stage imports only earlier stages)")
            if name and name.startswith("_") and not name.startswith("__") and theirs != mine:
                found.append(f"{where} (a private name of another package)")
    return found


def test_no_stage_imports_a_later_stage_or_a_private_name():
    assert problems(modules()) == []


@pytest.mark.parametrize("planted, complaint", [
    ("from lod.publish.layout import DOCUMENTS\n", "a stage imports only earlier stages"),
    ("from lod.read.fields import _surname_first\n", "a private name of another package"),
    ("import lod.pipeline\n", "wiring is for the wiring modules only"),
])
def test_the_walk_finds_a_planted_bad_import(tmp_path, planted, complaint):
    """The test can fail: a link module that imports a later stage, a private name, or the wiring."""
    fake = tmp_path / "lod" / "link" / "planted.py"
    fake.parent.mkdir(parents=True)
    fake.write_text(f'"""Planted."""\n{planted}', encoding="utf-8")
    (found,) = problems([(fake, "lod.link.planted")])
    assert complaint in found


def test_a_leaf_importing_a_stage_is_found(tmp_path):
    fake = tmp_path / "config.py"
    fake.write_text("from lod.map import profiles\n", encoding="utf-8")
    (found,) = problems([(fake, "lod.config")])
    assert "a leaf imports only leaves" in found
