"""A small package built from scratch, not ours: one document, its figures, nothing else."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from zhusan.build.package import generated_files
from zhusan.files.descriptor import DESCRIPTOR
from zhusan.model.cells import write_csv
from zhusan.model.tables import TABLES
from zhusan.model.tableschema import model_fields

TEXT = (
    "Ministry statement. In 2020 the ministry brought home 120 citizens, among them 70 children.\n"
)


QUOTE = "In 2020 the ministry brought home 120 citizens, among them 70 children."


def figure(
    figure_id: str,
    stated: str,
    group: str,
    source_id: str = "ministry-statement",
    quote: str = QUOTE,
) -> dict[str, object]:
    """A figure: ``stated`` people of ``group`` returned in 2020, as ``source_id`` says it."""
    return {
        "figure_id": figure_id,
        "source_id": source_id,
        "quote": quote,
        "stated": stated,
        "value": float(stated),
        "unit": "persons",
        "qualifier": "exact",
        "lower": float(stated),
        "upper": float(stated),
        "bounds": "[]",
        "measure": "returned",
        "group": group,
        "scope": "zhusan",
        "as_of": "2020",
        "date_basis": "stated",
        "derivation": "stated",
        "attribution": "own",
    }


def write_figures(root: Path, figures: list[dict[str, object]]) -> None:
    """Write dataset/figures.csv, then regenerate every generated file and the descriptor."""
    header = [f["name"] for f in model_fields(TABLES["figures"].model)]
    (root / "dataset" / "figures.csv").write_bytes(write_csv(header, figures))
    regenerate(root)


def regenerate(root: Path) -> None:
    """What ``zhusan schema --root`` does, keeping the package's own name and version."""
    path = root / DESCRIPTOR
    own = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for target, content in generated_files(root).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor |= {k: own.get(k, v) for k, v in SCRATCH.items()}
    path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")


SCRATCH = {"name": "scratch-data", "version": "2.0.0", "title": "Scratch: one statement"}


def add_source(root: Path, source_id: str, text: str) -> None:
    """Add a source whose archived copy is ``text`` (a news article of 2020)."""
    seed = root / "seeds" / f"{source_id}.txt"
    seed.write_text(text, encoding="utf-8")
    path = root / "dataset" / "sources.csv"
    header = [f["name"] for f in model_fields(TABLES["sources"].model)]
    row = {
        "source_id": source_id,
        "title": f"Report {source_id}",
        "kind": "news_article",
        "published": "2020",
        "published_basis": "stated",
        "path": f"seeds/{source_id}.txt",
        "sha256": hashlib.sha256(seed.read_bytes()).hexdigest(),
        "archived_as": seed.name,
        "language": "en",
        "interest": "unknown",
        "interest_note": "None known.",
    }
    body = write_csv(header, [row]).split(b"\n", 1)[1]
    path.write_bytes(path.read_bytes() + body)


def scratch_package(root: Path) -> Path:
    """Build the package in ``root``: one source, two figures, every other table empty."""
    (root / "seeds").mkdir(parents=True)
    (root / "dataset").mkdir()
    (root / DESCRIPTOR).write_text(json.dumps(SCRATCH, indent=2) + "\n", encoding="utf-8")
    seed = root / "seeds" / "ministry.txt"
    seed.write_text(TEXT, encoding="utf-8")
    source = {
        "source_id": "ministry-statement",
        "title": "Ministry statement",
        "kind": "news_article",
        "publisher": "A ministry",
        "published": "2020",
        "published_basis": "stated",
        "path": "seeds/ministry.txt",
        "sha256": hashlib.sha256(seed.read_bytes()).hexdigest(),
        "archived_as": "ministry.txt",
        "language": "en",
        "interest": "unknown",
        "interest_note": "The ministry ran the returns it counts.",
    }
    for name, table in TABLES.items():
        header = [f["name"] for f in model_fields(table.model)]
        rows = [source] if name == "sources" else []
        (root / "dataset" / f"{name}.csv").write_bytes(write_csv(header, rows))
    write_figures(root, [figure("m-01", "120", "all"), figure("m-02", "70", "children")])
    return root
