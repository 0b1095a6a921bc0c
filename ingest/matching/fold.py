"""Accent folding for comparing names: one place for the letters Unicode does not decompose.

NFKD splits "ü" into "u" and a combining mark, but "ł", "ø", "đ", the dotless i and the
ligatures have no decomposition, so "Wrocław" would never meet "Wroclaw" (or would lose the
letter where only ASCII is kept). They are mapped to their ASCII spellings first.
"""

from __future__ import annotations

import unicodedata

_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "\u0131": "i",  # dotless i
        "ħ": "h",
        "Ħ": "H",
    }
)


def fold(text: str) -> str:
    """Accents folded, lower case: `Universität Zürich` -> `universitat zurich`, `Wrocław` ->
    `wroclaw`, `Tromsø` -> `tromso`."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
