"""Text as it is compared and shown: whitespace folded, names keyed, printed text escaped.

``collapse`` is the one place runs of whitespace are folded (quotes are compared so);
``name_key`` is the form in which two names are the same name; ``printable`` is text as the
command line and the report print it, so that nothing from a package adds a line or sends a
terminal a control sequence.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from array import array

#: What collapsing changes: a run of two or more whitespace characters, or one that is not a
#: space. A single space is left alone, so a document of words and single spaces is not copied
#: word by word (``" ".join(text.split())`` made a string object of every word).
_FOLD = re.compile(r"\s{2,}|[^\S ]")

#: Every character ``str.isspace`` counts as whitespace, as ``str.split`` and the regular
#: expression ``\s`` do; a test holds it to Python's Unicode database.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: A text ``collapse`` changes, as a Rust regular expression (polars): a whitespace character
#: other than a space, two spaces, or a space at either end.
FOLDABLE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE if c != " ") + "]|  |^ | $"


#: Texts up to this many characters are folded by ``str.split``, which splits at the same
#: characters as the regular expression's ``\s`` (``str.isspace``) and is about three times
#: faster; longer ones by the expression, which makes no string object of each word.
SPLIT_UP_TO = 1 << 20


def collapse(text: str) -> str:
    """Whitespace runs folded to one space, leading and trailing whitespace dropped."""
    if len(text) <= SPLIT_UP_TO:
        return " ".join(text.split())
    return _FOLD.sub(" ", text).strip()


class Offsets:
    """For each character of a collapsed text, its offset in the text it was collapsed from.

    Only where the two drift apart (a whitespace run of two or more characters) is stored, so a
    document of millions of words separated by single spaces costs nothing here.
    """

    def __init__(self) -> None:
        self._at = array("q", [0])  # the collapsed offsets where the drift changes
        self._drift = array("q", [0])  # from there on: original offset - collapsed offset

    def add(self, at: int, drift: int) -> None:
        """From collapsed offset ``at`` on, the original offset is ``drift`` further."""
        if at == self._at[-1]:
            self._drift[-1] = drift
        else:
            self._at.append(at)
            self._drift.append(drift)

    def __getitem__(self, i: int) -> int:
        return i + self._drift[bisect.bisect_right(self._at, i) - 1]


_RUN = re.compile(r"\s{2,}")


def collapsed(text: str) -> tuple[str, Offsets]:
    """``collapse(text)`` and, for each of its characters, its offset in ``text``."""
    flat = collapse(text)
    where = Offsets()
    lead = len(text) - len(text.lstrip())
    where.add(0, lead)
    drift = lead
    for m in _RUN.finditer(text, lead):
        if m.end() == len(text):
            break
        drift += m.end() - m.start() - 1
        where.add(m.end() - drift, drift)
    return flat, where


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
