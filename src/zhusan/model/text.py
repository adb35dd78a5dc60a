"""Whitespace as quotes are compared: the one place runs of whitespace are folded."""

from __future__ import annotations

import re
import unicodedata


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


#: Characters that may not reach a terminal or a log as they are: C0 and C1 controls (line
#: breaks, ESC, CSI), DEL, the line and paragraph separators, the bidirectional overrides and
#: isolates (which reorder what is shown), the byte-order mark, and lone surrogates (bytes that
#: were not UTF-8, as ``surrogateescape`` reads them).
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    r"""``text`` as one line that sends no control sequence: ``\n`` for a line break, and so on.

    Every character of ``_UNPRINTABLE`` is written as a Python-style escape (``\n``, ``\x1b``,
    ``\u202e``); everything else, backslashes included, is kept, so ordinary text reads as it is.
    """
    return _UNPRINTABLE.sub(_escape, str(text))


#: Default-ignorable code points (Unicode's DerivedCoreProperties): invisible characters such
#: as the soft hyphen, zero-width space and joiners, variation selectors and tag characters.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
#: Cyrillic and Greek letters drawn like a Latin one (a subset of Unicode's confusables, the
#: letters a name can be spoofed with), folded to that Latin letter before names are compared.
_HOMOGLYPHS = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеіјоԁрсѕуһхԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοριντυχ",
    "ABESIJKMHOPCTXYaeijodpcsyhxqwABEZHIKMNOPTYXaopivtux",
)


def name_key(text: str) -> str:
    """The form in which two names are compared: equal keys name the same thing.

    Unicode NFKC (full-width forms, ligatures, composed and decomposed accents alike), invisible
    default-ignorable characters removed, look-alike Cyrillic and Greek letters folded to Latin,
    case folded, whitespace runs collapsed.
    """
    text = unicodedata.normalize("NFKC", _IGNORABLE.sub("", text))
    text = unicodedata.normalize("NFKC", text.translate(_HOMOGLYPHS).casefold())
    return collapse(text)
