"""Internal: a derived figure's value follows from the figures it is derived from.

A derived figure (``derivation`` derived) writes its arithmetic in ``stated`` over the values of
``derived_from``, in order: ``607 - 157 - 413`` from wsj-12, wsj-13 and wsj-14. The check joins
the inputs set-wise (one explode and one join however many figures there are) and then reads the
arithmetic of the derived rows only, which are few.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator
from typing import Any

import polars as pl

from zhusan.checks.frames import valid_rows
from zhusan.engines.frame import Package
from zhusan.model.report import Problem
from zhusan.model.tableschema import LIST_DELIMITER

COLUMNS = ("figure_id", "source_id", "derivation", "derived_from", "stated", "value", "qualifier")
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
#: Minus and multiplication signs a writer may type, read as the ASCII operators.
_SIGNS = str.maketrans({"−": "-", "–": "-", "×": "*", "÷": "/"})


class NotArithmetic(ValueError):
    """The text is not arithmetic on numbers with + - * /."""


def _walk(node: ast.AST, operands: list[float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        if isinstance(node.value, bool):
            raise NotArithmetic("not a number")
        operands.append(float(node.value))
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left = _walk(node.left, operands)  # left to right: the operands keep the written order
        right = _walk(node.right, operands)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise NotArithmetic("division by zero")
        return left / right
    raise NotArithmetic("only numbers and + - * / are allowed")


def evaluate(text: str) -> tuple[float, list[float]]:
    """The result of arithmetic written as text, and its operands in the order written.

    ``evaluate("607 - 157 - 413")`` is ``(37.0, [607.0, 157.0, 413.0])``. Raises
    ``NotArithmetic`` for anything but numbers, parentheses and + - * /.
    """
    source = text.translate(_SIGNS).replace(",", "")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise NotArithmetic("not arithmetic") from None
    operands: list[float] = []
    return _walk(tree.body, operands), operands


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _problems(r: dict[str, Any], inputs: list[dict[str, Any]]) -> Iterator[str]:
    """What is wrong with one derived figure, given its inputs in order (None: not found)."""
    try:
        result, operands = evaluate(r["stated"])
    except NotArithmetic as exc:
        yield f"stated {r['stated']!r} is not arithmetic over derived_from ({exc})"
        return
    if len(operands) != len(inputs):
        yield (
            f"stated {r['stated']!r} has {len(operands)} numbers but derived_from names "
            f"{len(inputs)} figures"
        )
        return
    for number, fig in zip(operands, inputs, strict=True):
        if fig["o_id"] is None:
            return  # an input that does not exist is a foreign-key problem
        if fig["o_source"] != r["source_id"]:
            yield f"input {fig['o_id']} is from source {fig['o_source']}, not {r['source_id']}"
        elif fig["o_value"] in (None, "") or not _same(float(fig["o_value"]), number):
            yield f"input {fig['o_id']} has value {fig['o_value'] or 'none'}, not {number:g}"
    value = None if r["value"] in (None, "") else float(r["value"])
    if value is None or not _same(value, result):
        yield (
            f"value {r['value'] or 'none'} does not follow from its inputs: "
            f"{r['stated']} = {result:g}"
        )
    hedged = [f for f in inputs if f["o_qualifier"] != "exact"]
    if hedged and r["qualifier"] == "exact":
        h = hedged[0]
        yield f"qualifier exact, but input {h['o_id']} is hedged ({h['o_qualifier']})"


def check_derivations(pkg: Package) -> Iterator[Problem]:
    """Every derived figure's value is its arithmetic over the values of its inputs."""
    df = valid_rows(pkg, "figures", *COLUMNS)
    derived = df.filter((pl.col("derivation") == "derived") & (pl.col("derived_from") != ""))
    if derived.height == 0:
        return
    slots = (
        derived.select(
            "figure_id",
            i=pl.col("derived_from")
            .str.split(LIST_DELIMITER)
            .list.eval(pl.struct(pos=pl.int_range(pl.len()), ref=pl.element())),
        )
        .explode("i")
        .unnest("i")
    )
    others = df.select(
        ref="figure_id",
        o_id="figure_id",
        o_source="source_id",
        o_value="value",
        o_qualifier="qualifier",
    )
    joined = slots.join(others, on="ref", how="left").sort("figure_id", "pos")
    by_figure: dict[str, list[dict[str, Any]]] = {}
    for row in joined.iter_rows(named=True):
        by_figure.setdefault(row["figure_id"], []).append(row)
    for r in derived.sort("_row").iter_rows(named=True):
        for message in _problems(r, by_figure.get(r["figure_id"], [])):
            yield Problem("derived-value", message, "figures", r["_row"], "value", r["value"])
