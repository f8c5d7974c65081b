"""Text: the output alphabet (CTC blank at index 0), normalisation, encode/decode.

Normalisation rules, applied in this order by :func:`normalize`:

1. Unicode NFKD, then accents are stripped (``café`` → ``cafe``); ``æ``/``œ``/``ß``
   are spelled out (``ae``, ``oe``, ``ss``).
2. Lower case.
3. Digits become words, one word per digit (``42`` → ``four two``), because a
   spoken number has many readings and the alphabet has no digits.
4. ``&`` → ``and``, ``%`` → ``percent``.
5. Apostrophes are dropped (``don't`` → ``dont``): the 28-symbol alphabet has
   no apostrophe; pass ``Alphabet.with_apostrophe()`` to keep them.
6. Hyphens, slashes and underscores become spaces; any other character outside
   the alphabet (punctuation, symbols, other scripts) is removed.
7. Runs of whitespace collapse to one space; leading/trailing space is removed.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np

BLANK = "_"  # printable stand-in for the CTC blank; never appears in text
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_SPELLED = {"æ": "ae", "œ": "oe", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}
_SPACES = "-/_\t\n\r"


@dataclass(frozen=True)
class Alphabet:
    """The model's output symbols. Index 0 is the CTC blank (Keras 3 convention)."""

    symbols: tuple[str, ...] = (BLANK, " ", *"abcdefghijklmnopqrstuvwxyz")

    def __post_init__(self):
        if not 2 <= len(self.symbols) <= 4096 or not all(
                isinstance(c, str) and len(c) == 1 for c in self.symbols):
            raise ValueError(f"an alphabet is 2 to 4096 single characters, blank first; got "
                             f"{len(self.symbols)} symbols")
        if self.symbols[0] != BLANK:
            raise ValueError(f"symbol 0 must be the blank {BLANK!r}, got {self.symbols[0]!r}")
        if len(set(self.symbols)) != len(self.symbols):
            raise ValueError("alphabet symbols must be unique")

    @classmethod
    def with_apostrophe(cls) -> Alphabet:
        """29 symbols: the default alphabet plus ``'``."""
        return cls((*cls().symbols, "'"))

    @property
    def blank(self) -> int:
        """Index of the CTC blank: always 0."""
        return 0

    @property
    def size(self) -> int:
        """Number of output classes, blank included (28 by default)."""
        return len(self.symbols)

    def __len__(self) -> int:
        return self.size

    def normalize(self, text: str) -> str:
        """Apply the module's documented rules, keeping only this alphabet's symbols."""
        return normalize(text, keep_apostrophe="'" in self.symbols)

    def encode(self, text: str) -> np.ndarray:
        """Normalised text → int32 label ids ``(label_len,)``; never contains the blank."""
        index = self._index
        clean = self.normalize(text)
        return np.array([index[c] for c in clean], dtype=np.int32)

    def decode(self, ids) -> str:
        """Label ids → text. Blanks and negative padding ids are skipped (no CTC collapse)."""
        return "".join(self.symbols[i] for i in np.asarray(ids, dtype=np.int64).ravel() if i > 0)

    @property
    def _index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.symbols)}

    def to_dict(self) -> dict:
        return {"symbols": list(self.symbols)}

    @classmethod
    def from_dict(cls, data: dict) -> Alphabet:
        return cls(tuple(data["symbols"]))


def normalize(text: str, keep_apostrophe: bool = False) -> str:
    """Normalise a transcript for the 28-symbol alphabet (rules in the module docstring)."""
    text = "".join(_SPELLED.get(c, _SPELLED.get(c.lower(), c)) for c in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = text.replace("&", " and ").replace("%", " percent ")
    out = []
    for c in text:
        if c.isdigit() and c in "0123456789":
            out.append(f" {DIGIT_WORDS[int(c)]} ")
        elif "a" <= c <= "z" or c == " ":
            out.append(c)
        elif c == "'":
            if keep_apostrophe:
                out.append(c)
        elif c in _SPACES:
            out.append(" ")
        # everything else (punctuation, symbols, other scripts) is removed
    return " ".join("".join(out).split())


@dataclass
class NormalizationReport:
    """What :func:`normalize` changed in a corpus: counts you can print or assert on."""

    utterances: int = 0
    changed: int = 0
    empty_after: int = 0
    removed: Counter = None
    examples: list = None

    def __post_init__(self):
        self.removed = self.removed if self.removed is not None else Counter()
        self.examples = self.examples if self.examples is not None else []

    def __str__(self) -> str:
        top = ", ".join(f"{c!r}×{n}" for c, n in self.removed.most_common(10)) or "none"
        lines = [
            (
                f"{self.utterances} transcripts, {self.changed} changed by normalisation, "
                f"{self.empty_after} empty afterwards"
            ),
            f"characters removed or rewritten: {top}",
        ]
        lines += [f"  {a!r} -> {b!r}" for a, b in self.examples]
        return "\n".join(lines)


def normalization_report(
    texts, alphabet: Alphabet | None = None, max_examples: int = 5
) -> NormalizationReport:
    """Normalise every transcript in ``texts`` and count what changed."""
    alphabet = alphabet or Alphabet()
    allowed = set(alphabet.symbols[1:])
    report = NormalizationReport()
    for raw in texts:
        report.utterances += 1
        clean = alphabet.normalize(raw)
        if clean != " ".join(raw.split()):
            report.changed += 1
            if len(report.examples) < max_examples:
                report.examples.append((raw, clean))
        if not clean:
            report.empty_after += 1
        for c in raw:
            if c.lower() not in allowed and not c.isspace():
                report.removed[c] += 1
    return report
