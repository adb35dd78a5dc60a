"""Whitespace as quotes are compared: the one place runs of whitespace are folded."""

from __future__ import annotations


def collapse(text: str) -> str:
    """Whitespace runs folded to one space, leading and trailing whitespace dropped."""
    return " ".join(text.split())


def collapsed(text: str) -> tuple[str, list[int]]:
    """``collapse(text)`` and, for each of its characters, its offset in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    gap = False
    for i, ch in enumerate(text):
        if ch.isspace():
            gap = bool(chars)
            continue
        if gap:
            chars.append(" ")
            where.append(i)
        chars.append(ch)
        where.append(i)
        gap = False
    return "".join(chars), where
