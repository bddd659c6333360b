"""Language codes and the language sets models declare.

Imitates the Hub's `language` card field and language tags: ISO 639-1 codes plus
"multilingual", and the long lists of the famous multilingual base models (whisper's 99,
xlm-roberta's 94, mt5's 101). Sets are ids into one table so that traits.py can inherit and
shrink them with vectorised numpy. Reference value (DESIGN.md): mean declared languages
parent 6.60 -> child 1.81 (the shrink is drawn in traits.py over these sets).
"""

from __future__ import annotations

import numpy as np

from scripts.sample.draws import Arr, _words

LANGS = (
    *_words(
        "en zh fr es de ru ja pt it ko ar hi nl tr pl vi th id fa sv cs ro hu el da fi uk he bg ca "
        "nb sk hr lt sl et lv sr ms bn ta te ur mr gu kn ml pa sw af sq am hy az eu be bs cy eo gl "
        "ka is ga jv kk km ky lo lb mk mg mn my ne ps si so su tg tl tt ug uz xh yi yo zu as br fy "
        "gd ha ht ig ku la mi mt oc or qu rw sa sd sn"
    ),
    "multilingual",
)
EN = 0
MULTI = len(LANGS) - 1


class _LangSets:
    """Language sets as ids into one table, so traits inherit with vectorised numpy.

    Ids: 0 empty, 1..L single languages, then every ordered pair, then named multi sets.
    """

    def __init__(self, multi: list[tuple[int, ...]]) -> None:
        n = len(LANGS)
        self.n = n
        self.pair0 = 1 + n
        self.multi0 = 1 + n + n * n
        sets: list[tuple[int, ...]] = [()] + [(i,) for i in range(n)]
        sets += [(a, b) if a != b else (a,) for a in range(n) for b in range(n)]
        sets += multi
        self.sets = sets
        self.size = np.array([len(s) for s in sets], np.int64)
        self.off = np.concatenate([[0], np.cumsum(self.size)[:-1]])
        self.flat = np.array([x for s in sets for x in s], np.int64)
        self.has_en = np.array([EN in s for s in sets])

    def member(self, sid: Arr, u: Arr) -> Arr:
        """A random member of each set (meaningless for empty sets)."""
        pos = self.off[sid] + (u * np.maximum(self.size[sid], 1)).astype(np.int64)
        return self.flat[np.minimum(pos, len(self.flat) - 1)]


def _parse_langs(spec: str) -> tuple[int, ...]:
    """A FAMOUS language spec as language indices."""
    out: list[int] = []
    for token in spec.split():
        out += list(range(int(token[1:]))) if token.startswith("@") else [LANGS.index(token)]
    return tuple(dict.fromkeys(out))
