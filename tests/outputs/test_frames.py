"""DataFrames carry the models' columns and types, and name the extra to install when missing."""

from __future__ import annotations

import subprocess
import sys
from typing import get_args

import pandas as pd
import polars as pl
import pytest

import zhusan
from zhusan.model.dataset import Dataset
from zhusan.model.estimates import Estimate
from zhusan.model.fields import PersonKind, SourceKind, Unit
from zhusan.model.published import PUBLISHED, UnknownTable, rows_of
from zhusan.outputs.columns import table_columns, table_rows
from zhusan.outputs.frames import TableName, relations, to_arrow, to_pandas, to_polars

DATA = zhusan.load()
JOINED = [
    "source_title",
    "source_kind",
    "source_published",
    "speaker_name",
    "speaker_org_name",
    "event_name",
]


@pytest.fixture(autouse=True)
def loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled package is read once for the module, not once per frame."""

    def load(path: str | None = None) -> Dataset:
        return DATA if path is None else zhusan.load(path)

    monkeypatch.setattr("zhusan.outputs.frames._load", load)


def test_table_name_lists_every_table() -> None:
    """TableName offers exactly the published tables, generated ones included, in order."""
    assert get_args(TableName) == tuple(PUBLISHED)


@pytest.mark.parametrize("table", list(PUBLISHED))
def test_pandas_columns_and_rows_match_the_model(table: TableName) -> None:
    """A pandas frame has the model's fields as columns and one row per model."""
    df = to_pandas(table)
    assert list(df.columns) == list(PUBLISHED[table].model.model_fields)
    assert len(df) == len(rows_of(DATA, table))


@pytest.mark.parametrize("table", list(PUBLISHED))
def test_polars_frame_equals_the_models(table: TableName) -> None:
    """A polars frame has the model's fields as columns and holds exactly the models' values."""
    df = to_polars(table)
    assert df.columns == list(PUBLISHED[table].model.model_fields)
    assert df.to_dicts() == table_rows(DATA, table)


@pytest.mark.parametrize("table", list(PUBLISHED))
def test_arrow_table_equals_the_models(table: TableName) -> None:
    """A pyarrow table has the Parquet export's schema and holds exactly the models' values."""
    arrow = to_arrow(table)
    assert arrow.column_names == list(PUBLISHED[table].model.model_fields)
    assert arrow.to_pylist() == table_rows(DATA, table)
    assert arrow.schema.metadata[b"primary_key"] == PUBLISHED[table].primary_key.encode()


@pytest.mark.parametrize("loader", [to_pandas, to_polars, to_arrow])
def test_an_unknown_table_is_named_with_the_tables_there_are(loader: object) -> None:
    """A misspelt table raises UnknownTable (a ValueError, not a bare KeyError) listing them."""
    with pytest.raises(UnknownTable, match=r"no table named 'figure'; the tables are: sources,"):
        loader("figure")  # type: ignore[operator]
    with pytest.raises(ValueError, match="estimates, figures_flat"):
        loader("figure")  # type: ignore[operator]


@pytest.mark.parametrize("table", list(PUBLISHED))
def test_every_vocabulary_is_categorical(table: TableName) -> None:
    """Every enum field is a pandas categorical and a polars Enum with every allowed value."""
    pdf, plf = to_pandas(table), to_polars(table)
    for col in table_columns(table):
        if col.enum:
            assert isinstance(pdf[col.name].dtype, pd.CategoricalDtype)
            assert tuple(pdf[col.name].cat.categories) == col.enum
            assert plf.schema[col.name] == pl.Enum(list(col.enum))


def test_pandas_dtypes_follow_the_schema() -> None:
    """Numbers are floats, booleans nullable, partial dates strings, lists lists."""
    df = to_pandas("figures")
    assert tuple(df["unit"].cat.categories) == get_args(Unit)
    assert df["value"].dtype == "float64"
    assert df["exhaustive"].dtype == "boolean"
    assert df["exhaustive"].isna().any()
    assert df["as_of"].dtype == "string"
    aliases = to_pandas("people")["aliases"]
    assert tuple(to_pandas("people")["kind"].cat.categories) == get_args(PersonKind)
    assert all(isinstance(a, list) for a in aliases)


def test_polars_dtypes_follow_the_schema() -> None:
    """Numbers are Float64, booleans Boolean, partial dates String, lists List(String)."""
    schema = to_polars("figures").schema
    assert schema["unit"] == pl.Enum(list(get_args(Unit)))
    assert schema["value"] == pl.Float64()
    assert schema["exhaustive"] == pl.Boolean()
    assert schema["as_of"] == pl.String()
    assert to_polars("people").schema["aliases"] == pl.List(pl.String)


def test_relations_joins_names_to_figures() -> None:
    """Relations gives one row per figure with the source, speaker, organisation and event names."""
    df = relations()
    assert df.columns == [*PUBLISHED["figures"].model.model_fields, *JOINED]
    assert df.height == len(DATA.figures)
    assert df.schema["source_kind"] == pl.Enum(list(get_args(SourceKind)))
    people = {p.person_id: p.name for p in DATA.people}
    events = {e.event_id: e.name for e in DATA.events}
    titles = {s.source_id: s.title for s in DATA.sources}
    for row, fig in zip(df.iter_rows(named=True), DATA.figures, strict=True):
        assert row["figure_id"] == fig.figure_id
        assert row["source_title"] == titles[fig.source_id]
        assert row["speaker_name"] == (people[fig.speaker_id] if fig.speaker_id else None)
        assert row["event_name"] == (events[fig.event_id] if fig.event_id else None)
    assert df["speaker_name"].drop_nulls().len() > 0


def test_relations_with_pandas_backend() -> None:
    """relations(backend="pandas") gives the same rows as pandas, with categoricals."""
    df = relations(backend="pandas")
    assert list(df.columns) == [*PUBLISHED["figures"].model.model_fields, *JOINED]
    assert len(df) == len(DATA.figures)
    assert isinstance(df["source_kind"].dtype, pd.CategoricalDtype)
    assert list(df["source_title"]) == relations()["source_title"].to_list()


def test_relations_refuses_an_unknown_backend() -> None:
    """An unknown backend is a ValueError naming the choices."""
    with pytest.raises(ValueError, match="choose 'polars' or 'pandas'"):
        relations(backend="spark")  # type: ignore[call-overload]


def test_frames_read_a_package_at_a_path(pkg: object) -> None:
    """to_polars reads the package at a path, not only the bundled one."""
    assert to_polars("sources", str(pkg)).height == len(DATA.sources)


@pytest.mark.parametrize(
    ("module", "call", "message"),
    [
        ("pandas", lambda: to_pandas("figures"), "to_pandas needs pandas"),
        ("polars", lambda: to_polars("figures"), "to_polars needs polars"),
        ("pandas", lambda: relations(backend="pandas"), "relations needs pandas"),
        ("polars", lambda: relations(), "relations needs polars"),
    ],
)
def test_missing_library_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, module: str, call: object, message: str
) -> None:
    """Without the library, the ImportError says which extra to install."""
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError) as excinfo:
        call()  # type: ignore[operator]
    assert str(excinfo.value) == f"{message}: pip install 'zhusan-data[{module}]'"


def test_top_level_loaders_work_after_a_plain_import() -> None:
    """`import zhusan; zhusan.to_pandas('estimates')` works in a fresh interpreter."""
    code = "import zhusan; print(zhusan.to_pandas('estimates').shape)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"({len(zhusan.estimates())}, {len(Estimate.model_fields)})"


def test_importing_zhusan_imports_no_dataframe_or_spreadsheet_library() -> None:
    """pandas, openpyxl and frictionless are imported only when a loader or export needs them."""
    code = (
        "import sys, zhusan; "
        "print(sorted(m for m in ('pandas', 'openpyxl', 'jsonschema', 'frictionless') "
        "if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.stdout.strip() == "[]", proc.stderr


def test_top_level_loaders_are_the_frames() -> None:
    """zhusan.to_pandas, to_polars and to_arrow give the same tables as zhusan.outputs.frames."""
    assert zhusan.tables() == list(PUBLISHED)
    assert zhusan.to_polars("sources").equals(to_polars("sources"))
    assert zhusan.to_pandas("figures_flat").equals(to_pandas("figures_flat"))
    assert zhusan.to_arrow("estimates").equals(to_arrow("estimates"))
    with pytest.raises(zhusan.UnknownTable, match="the tables are: sources, organizations"):
        zhusan.to_pandas("estimate")  # type: ignore[arg-type]
