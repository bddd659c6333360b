"""Card similarity sketches: shingles, MinHash signatures, LSH band keys, pair sampling, CIs.

Spark's ingest (signatures, template score) and similarity (pair sampling, bootstrap) call
these inside Arrow batch UDFs, so everything here is pure,
deterministic across processes (no dependence on PYTHONHASHSEED) and never builds anything
quadratic in the number of cards or children.

Signatures are datasketch's own MinHash hash values (scheme "affine32", dtype uint32, with
`shingle_hash` as its hash function), computed a batch of cards at a time with numpy and the
permutations drawn once per Sketcher. Spark
has no unsigned ints and 32-bit values above 2**31 - 1 do not fit `int`, so a signature is
stored as `array<long>` with `to_list` (Python ints in [0, 2**32)).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Iterable, Sequence
from functools import cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHash
from datasketch.lsh import _optimal_param

from udfs.cards import TEMPLATE_PATH, lowered_body, render_template

SIGNATURE_DTYPE = np.uint32  # datasketch's "affine32" hash values
SPARK_SIGNATURE_TYPE = "array<long>"  # uint32 values overflow Spark's signed 32-bit int

# Markup that is not text: a link's target `](...)`, bare URLs, HTML tags (lowercased first)
# and entities. Each alternative stops at the next delimiter, so matching stays linear on
# hostile input such as 200,000 unclosed brackets.
_NOISE_RE = re.compile(
    r"\]\([^()\s]*\)|https?://[^\s()<>\[\]\"']*|</?[a-z][^<>]*>|&(?:#x?[0-9a-f]+|[a-z]+);"
)
_TOKEN_RE = re.compile(r"[^\W_]+")  # letters and digits; `_` and `*` of markdown are noise
# Bytes that end a word in lowercased text: every ASCII byte but a-z and 0-9, as a space.
# Bytes >= 0x80 are parts of UTF-8 sequences and stay, for `_TOKEN_RE` to judge their piece.
_ASCII_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
_ASCII_SEPARATORS = bytes(b if b >= 0x80 or b in _ASCII_WORD_BYTES else 32 for b in range(256))
_HASH_CHUNK = 8192  # shingles per numpy pass: bounds memory at 8192 x num_perm x 4 bytes
# A shingle hash and its card's index packed in one uint64 sort key: 48 bits of hash (the
# signature uses the low 32, so it is unchanged) and 16 of card. Two distinct shingles of
# one card share 48 bits with odds about n**2 / 2**49 (1e-9 for a 1,000-shingle card), and
# a card shingle matches a template shingle by chance with odds about n * T / 2**48; then
# the shingle count or template score is off by one shingle, the signature still the same.
_KEPT_HASH_BITS = 48
_KEPT_HASH_MASK = np.uint64((1 << _KEPT_HASH_BITS) - 1)
_MAX_SORT_CARDS = 1 << (64 - _KEPT_HASH_BITS)
_BOOT_CHUNK_CELLS = 1 << 20  # resample counts held at once by bootstrap_ci (8 MB)


def card_words(card: str | None) -> list[str]:
    """The words of a card's body: front matter dropped, lowercased, markup and punctuation gone.

    A word is a maximal run of letters and digits (`[^\\W_]+`). ASCII separators are turned
    into spaces by one byte-table translation and the text split on whitespace; the regular
    expression runs only on the pieces that still hold a non-ASCII character: the same words
    in about 60 % of the time of scanning every character with the expression.

    >>> card_words("---\\nlicense: mit\\n---\\n# My *Model*: see [the docs](https://x.io/d).")
    ['my', 'model', 'see', 'the', 'docs']
    >>> card_words("<p align='center'>Hi&nbsp;there</p> <!-- a note -->")
    ['hi', 'there', 'a', 'note']
    >>> card_words("Modèle_français — 2ème")
    ['modèle', 'français', '2ème']
    """
    return _spaced_words(lowered_body(card)).split()


def _spaced_words(body: str) -> str:
    """The words of a lowered body (`udfs.cards.lowered_body`) as one string, between ASCII
    spaces: an ASCII body is only translated (the common case), another one's words are
    joined. No word holds whitespace, so splitting on it gives the words back; the batch
    path lets Arrow split it, so a word becomes a Python string only once per batch."""
    if not body:
        return ""
    text = _NOISE_RE.sub(" ", body)
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii")
    return " ".join(_non_ascii_words(text))


def _non_ascii_words(text: str) -> list[str]:
    encoded = text.encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATORS)
    words: list[str] = []
    for piece in encoded.decode("utf-8", "surrogatepass").split():
        if piece.isascii():
            words.append(piece)
        else:
            words.extend(_TOKEN_RE.findall(piece))
    return words


def card_shingles(card: str | None, n: int) -> set[str]:
    """The set of word n-grams of a card's normalised body; a card shorter than n words
    gives the set of its words, an empty card the empty set.

    >>> sorted(card_shingles("---\\ntags: [x]\\n---\\nThe cat sat on the mat.", 3))
    ['cat sat on', 'on the mat', 'sat on the', 'the cat sat']
    >>> sorted(card_shingles("Hello, world!", 3)), card_shingles(None, 3)
    (['hello', 'world'], set())
    """
    words = card_words(card)
    if len(words) < n:
        return set(words)
    return set(map(" ".join, zip(*(words[i:] for i in range(n)), strict=False)))


_MASK64 = (1 << 64) - 1
# Shingle hash: h = h * M + word_hash over the shingle's words (mod 2**64), then the
# MurmurHash3 64-bit finaliser; M is odd, so the step is a bijection in each word.
_SHINGLE_MULTIPLIER = 0x9E3779B97F4A7C15
_FMIX64 = (33, 0xFF51AFD7ED558CCD, 33, 0xC4CEB9FE1A85EC53, 33)
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)  # datasketch's affine32 pre-mix


def word_hash(word: str) -> int:
    """64-bit BLAKE2b of the UTF-8 word: the same in every process.

    >>> word_hash("cat")
    3429664268601861939
    """
    digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _fmix64_int(h: int) -> int:
    s1, m1, s2, m2, s3 = _FMIX64
    h ^= h >> s1
    h = (h * m1) & _MASK64
    h ^= h >> s2
    h = (h * m2) & _MASK64
    return h ^ (h >> s3)


def _fmix(values: npt.NDArray[np.unsignedinteger], constants: tuple[int, ...]) -> npt.NDArray:
    """The MurmurHash3 finaliser on a uint64 or uint32 array (wrapping multiplications)."""
    dtype = values.dtype.type
    s1, m1, s2, m2, s3 = (dtype(c) for c in constants)
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def shingle_hash(shingle: str) -> int:
    """The 32-bit hash MinHash sees for a shingle (words joined by single spaces): a
    polynomial of its words' `word_hash`es, finalised, low 32 bits. `Sketcher` computes the
    same value from word hashes with numpy, never building the shingle strings; this is the
    one-shingle form datasketch is given as `hashfunc` in the tests.

    >>> shingle_hash("the cat sat")
    2692571546
    """
    h = 0
    for word in shingle.split(" "):
        h = (h * _SHINGLE_MULTIPLIER + word_hash(word)) & _MASK64
    return _fmix64_int(h) & 0xFFFFFFFF


def _word_hash_array(vocabulary: Sequence[str]) -> npt.NDArray[np.uint64]:
    digests = b"".join(
        hashlib.blake2b(w.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        for w in vocabulary
    )
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


class BatchWords(NamedTuple):
    """A batch's words, in card order: the distinct words (first seen first), each word's
    index among them and its card's index, and the number of words of each card."""

    vocabulary: list[str]
    ids: npt.NDArray[np.intp]
    owner: npt.NDArray[np.intp]
    length: npt.NDArray[np.intp]


def batch_words(bodies: Sequence[str]) -> BatchWords:
    """The words of each lowered body of a batch (`card_words` of its card), split and
    numbered by Arrow: a word becomes a Python string only once per batch (the vocabulary),
    not once per occurrence. Words are valid UTF-8 for Arrow: a lone surrogate is no word
    character, so none is kept.

    >>> found = batch_words(["a b", "", " b  c! "])
    >>> found.vocabulary, found.ids.tolist(), found.owner.tolist(), found.length.tolist()
    (['a', 'b', 'c'], [0, 1, 1, 2], [0, 0, 2, 2], [2, 0, 2])
    """
    # Large strings: one array even when a batch of long cards passes 2 GiB of text.
    spaced = pa.array(map(_spaced_words, bodies), type=pa.large_string())
    lists = pc.ascii_split_whitespace(spaced)
    words = lists.flatten()
    owner = pc.list_parent_indices(lists).to_numpy().astype(np.intp)
    # Leading and trailing spaces split off empty words (an empty card gives one).
    kept = pc.greater(pc.binary_length(words), 0)
    words, owner = words.filter(kept), owner[kept.to_numpy(zero_copy_only=False)]
    encoded = words.dictionary_encode()
    return BatchWords(
        encoded.dictionary.to_pylist(),
        encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp),
        owner,
        np.bincount(owner, minlength=len(bodies)).astype(np.intp),
    )


class Sketches(NamedTuple):
    """Per card, in input order: its signature (None without shingles), its shingle count,
    and the exact Jaccard of its shingles with the Hub's default card template's."""

    signatures: list[npt.NDArray[np.uint32] | None]
    n_shingles: list[int]
    template_scores: list[float]


class Sketcher:
    """MinHash signatures of cards, equal to `MinHash(num_perm, seed, hashfunc=shingle_hash)`
    updated with each shingle of `card_shingles(card, shingle_size)`.

    A batch is sketched at once: each distinct word of the batch is hashed once, shingle
    hashes are combined from word hashes with numpy (no shingle strings), and all
    permutations are applied to all shingles of a chunk as one array operation, reduced
    per card with `minimum.reduceat`. The permutations are datasketch's own (drawn once);
    the arithmetic is its "affine32" scheme, so the values are bit-identical. A card with
    no shingles has no signature (None), not the signature of the empty set, which would
    match every other empty card.

    >>> sketcher = Sketcher(num_perm=16)
    >>> cat, none, meta_only = sketcher.signatures(["The cat sat.", None, "---\\na: 1\\n---\\n"])
    >>> cat.shape, cat.dtype, none, meta_only
    ((16,), dtype('uint32'), None, None)
    >>> sketcher.sketch(["The cat sat on the mat", "  "]).n_shingles
    [4, 0]
    """

    def __init__(self, num_perm: int = 128, seed: int = 1, shingle_size: int = 3) -> None:
        if num_perm < 1 or shingle_size < 1:
            raise ValueError("num_perm and shingle_size must be positive")
        self.num_perm = num_perm
        self.seed = seed
        self.shingle_size = shingle_size
        empty = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash)
        a, b = empty.permutations
        self._a, self._b = a.astype(np.uint32), b.astype(np.uint32)
        self._empty = empty.hashvalues.astype(SIGNATURE_DTYPE)
        self._template: npt.NDArray[np.uint64] | None = None

    def shingle_hashes(
        self, bodies: Sequence[str]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
        """Distinct shingle hashes of every card, given by its lowered body (their low
        `_KEPT_HASH_BITS` bits), sorted by card: (hashes, card index). Batches of more than
        `_MAX_SORT_CARDS` cards are split."""
        if len(bodies) > _MAX_SORT_CARDS:
            parts = [
                self.shingle_hashes(bodies[start : start + _MAX_SORT_CARDS])
                for start in range(0, len(bodies), _MAX_SORT_CARDS)
            ]
            offsets = range(0, len(bodies), _MAX_SORT_CARDS)
            return (
                np.concatenate([hashes for hashes, _ in parts]),
                np.concatenate([card + at for (_, card), at in zip(parts, offsets, strict=True)]),
            )
        vocabulary, ids, owner, length = batch_words(bodies)
        n = self.shingle_size
        tokens = _word_hash_array(vocabulary)[ids]
        total = tokens.size
        if total >= n:
            multiplier = np.uint64(_SHINGLE_MULTIPLIER)
            windows = tokens[: total - n + 1].copy()
            for offset in range(1, n):
                windows = windows * multiplier + tokens[offset : total - n + 1 + offset]
            inside = owner[: total - n + 1] == owner[n - 1 :]
            full, full_owner = windows[inside], owner[: total - n + 1][inside]
        else:
            full, full_owner = tokens[:0], owner[:0]
        short = length[owner] < n  # a card shorter than n words: its words are its shingles
        hashes = _fmix(np.concatenate([full, tokens[short]]), _FMIX64) & _KEPT_HASH_MASK
        card = np.concatenate([full_owner, owner[short]]).astype(np.uint64)
        # One sort of (card, hash) packed in a word: under half the time of a two-key lexsort.
        keys = np.sort((card << np.uint64(_KEPT_HASH_BITS)) | hashes)
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys
        return keys & _KEPT_HASH_MASK, (keys >> np.uint64(_KEPT_HASH_BITS)).astype(np.intp)

    def sketch(self, cards: Sequence[str | None]) -> Sketches:
        """Signatures, shingle counts and template scores of a batch of cards (see the class
        example)."""
        return self.sketch_bodies([lowered_body(card) for card in cards])

    def sketch_bodies(self, bodies: Sequence[str]) -> Sketches:
        """`sketch` of the cards whose lowered bodies (`udfs.cards.lowered_body`) these are:
        ingest has them from parsing. One tokenisation and one hashing of each card serve
        all three results.

        Permutations run along rows (num_perm x shingles), so each card's minimum is a
        `minimum.reduceat` over a contiguous run of every row."""
        hashes, card = self.shingle_hashes(bodies)
        counts = np.bincount(card, minlength=len(bodies))
        template = self.template_hashes()
        # The template's hashes are sorted and distinct: a binary search finds each shingle
        # in it in half the time of np.isin, which first sorts the batch's hashes again.
        nearest = template[np.minimum(np.searchsorted(template, hashes), template.size - 1)]
        shared = np.bincount(card[nearest == hashes], minlength=len(bodies))
        union = counts + template.size - shared
        scores = [
            s / u if c else 0.0
            for s, u, c in zip(shared.tolist(), union.tolist(), counts.tolist(), strict=True)
        ]
        premixed = _fmix((hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32), _FMIX32)
        minima = np.tile(self._empty[:, None], (1, len(bodies)))
        permuted = np.empty((self.num_perm, min(_HASH_CHUNK, premixed.size)), dtype=np.uint32)
        for start in range(0, premixed.size, _HASH_CHUNK):
            chunk = premixed[start : start + _HASH_CHUNK]
            owners = card[start : start + _HASH_CHUNK]
            rows = permuted[:, : chunk.size]
            np.multiply(self._a[:, None], chunk[None, :], out=rows)
            np.add(rows, self._b[:, None], out=rows)
            firsts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            segment_min = np.minimum.reduceat(rows, firsts, axis=1)
            columns = owners[firsts]
            minima[:, columns] = np.minimum(minima[:, columns], segment_min)
        by_card = np.ascontiguousarray(minima.T)
        signatures = [by_card[i] if counts[i] else None for i in range(len(bodies))]
        return Sketches(signatures, [int(c) for c in counts], scores)

    def template_hashes(self) -> npt.NDArray[np.uint64]:
        """The distinct shingle hashes of the Hub's default card template (rendered with
        its defaults), under this Sketcher's shingle size; computed once."""
        if self._template is None:
            rendered = render_template(TEMPLATE_PATH.read_text(encoding="utf-8"))
            self._template = self.shingle_hashes([lowered_body(rendered)])[0]
        return self._template

    def signatures(self, cards: Sequence[str | None]) -> list[npt.NDArray[np.uint32] | None]:
        """The signature of each card, None for a card without shingles (see the class)."""
        return self.sketch(cards).signatures


@cache
def _default_sketcher() -> Sketcher:
    return Sketcher()


def template_score(card: str | None) -> float:
    """How much of a card is the Hub's default card template: the exact Jaccard of its word
    3-shingles (the ones its signature sees: front matter dropped, markup gone) with the
    rendered template's. 1.0 for the untouched template, 0.0 for a card without words.

    >>> template_score(render_template(TEMPLATE_PATH.read_text(encoding="utf-8")))
    1.0
    >>> template_score("A poem about rivers, mountains and the quiet of early mornings.")
    0.0
    """
    return _default_sketcher().sketch([card]).template_scores[0]


def to_list(signature: npt.ArrayLike) -> list[int]:
    """A signature as Python ints in [0, 2**32), the values of a Spark `array<long>`.

    >>> to_list(np.array([0, 4294967295], dtype=np.uint32))
    [0, 4294967295]
    """
    return np.asarray(signature, dtype=np.int64).tolist()


def estimate_jaccard(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Estimated Jaccard of two cards: the share of equal signature positions.

    Takes uint32 signatures or the int64 values read back from Spark alike.

    >>> sketcher = Sketcher()
    >>> a, b = sketcher.signatures(["a b c d e f g h", "a b c d e f g x"])
    >>> estimate_jaccard(a, a), 0.5 < estimate_jaccard(a, to_list(b)) < 0.9
    (1.0, True)
    """
    left, right = np.asarray(a), np.asarray(b)
    if left.shape != right.shape or left.ndim != 1 or left.size == 0:
        raise ValueError(f"need two signatures of one length, got {left.shape}, {right.shape}")
    return float(np.count_nonzero(left == right)) / left.size


def estimate_jaccard_many(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Row-wise `estimate_jaccard` of two (pairs x num_perm) arrays of signatures.

    >>> estimate_jaccard_many([[1, 2, 3, 4], [5, 6, 7, 8]], [[1, 2, 0, 0], [5, 6, 7, 8]])
    array([0.5, 1. ])
    """
    left, right = np.asarray(a), np.asarray(b)
    if left.shape != right.shape or left.ndim != 2 or left.shape[1] == 0:
        raise ValueError(f"need two (pairs, num_perm) arrays, got {left.shape}, {right.shape}")
    return np.count_nonzero(left == right, axis=1) / left.shape[1]


def exact_jaccard(a: Iterable[Hashable] | None, b: Iterable[Hashable] | None) -> float | None:
    """Jaccard of two trait sets; any iterable counts as a set (a Spark array arrives as a
    list or numpy array) and None (a null array) as empty. None when both are empty.

    >>> exact_jaccard({"mit"}, np.array(["mit", "apache-2.0"])), exact_jaccard([], None)
    (0.5, None)
    """
    left = set() if a is None else set(a)
    right = set() if b is None else set(b)
    union = len(left | right)
    return len(left & right) / union if union else None


@cache
def choose_bands(
    num_perm: int,
    threshold: float,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false positive and negative probabilities of
    LSH at a Jaccard threshold: datasketch's own MinHashLSH choice.

    >>> choose_bands(128, 0.5), choose_bands(128, 0.9)
    ((25, 5), (5, 25))
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    bands, rows = _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight)
    return int(bands), int(rows)


def _stable_int(text: str) -> int:
    """A non-negative 64-bit integer of a string, the same in every process."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def sample_sibling_pairs(
    children: Sequence[str], cap: int, seed: int, key: str
) -> list[tuple[str, str]]:
    """All unordered pairs of distinct children (a < b) when there are at most `cap`,
    otherwise `cap` of them drawn without replacement; sorted either way.

    The draw depends only on (seed >= 0, key, the set of children): `key` is typically the
    parent id, so each family gets its own reproducible sample. Pairs are numbered in
    lexicographic order and numpy draws `cap` of the numbers in O(cap) memory, so 30,000
    children take memory for 30,000 + cap items, never for their 450M pairs.

    >>> sample_sibling_pairs(["c", "a", "b"], cap=5, seed=0, key="p")
    [('a', 'b'), ('a', 'c'), ('b', 'c')]
    >>> len(sample_sibling_pairs([str(i) for i in range(30_000)], cap=3, seed=0, key="p"))
    3
    """
    kids = sorted(set(children))
    n = len(kids)
    total = n * (n - 1) // 2
    if cap <= 0 or total == 0:
        return []
    if total <= cap:
        numbers = np.arange(total, dtype=np.int64)
    else:
        rng = np.random.default_rng([seed, _stable_int(key)])
        numbers = np.sort(rng.choice(total, size=cap, replace=False, shuffle=False))
    row = np.arange(n - 1, dtype=np.int64)
    starts = row * (2 * n - row - 1) // 2  # number of the first pair (i, i + 1) of row i
    first = np.searchsorted(starts, numbers, side="right") - 1
    second = first + 1 + numbers - starts[first]
    return [(kids[i], kids[j]) for i, j in zip(first.tolist(), second.tolist(), strict=True)]


def bootstrap_ci(
    values: Sequence[float],
    n_boot: int,
    seed: int,
    alpha: float = 0.05,
    counts: Sequence[int] | None = None,
) -> tuple[float, float, float]:
    """(mean, low, high): the mean of `values` (each `counts[i]` times, once without
    `counts`) and its percentile-bootstrap (1 - alpha) interval.

    A resample of n values with replacement picks each distinct value a multinomial number
    of times, so each resample is drawn as those counts: the same distribution of
    resampled means as drawing n random positions, at a cost that grows with the distinct
    values (at most num_perm + 1 for a card estimate, few for a trait Jaccard), not with n
    times n_boot. Values are merged and sorted first, so the interval depends only on the
    values and the seed, not on the order Spark delivered them in. Resamples are drawn in
    chunks of at most ~1M counts, so memory stays bounded; NaNs when there are no values.

    >>> mean, low, high = bootstrap_ci([0.1, 0.4, 0.5, 0.9], n_boot=1000, seed=0)
    >>> round(mean, 3), low < mean < high
    (0.475, True)
    >>> bootstrap_ci([1.0, 0.0], n_boot=1000, seed=0, counts=[1, 3])[0]
    0.25
    """
    if n_boot < 1 or not 0.0 < alpha < 1.0:
        raise ValueError(f"need n_boot >= 1 and 0 < alpha < 1, got {n_boot}, {alpha}")
    given = np.asarray(values, dtype=np.float64)
    weights = np.ones(given.size) if counts is None else np.asarray(counts, dtype=np.float64)
    distinct, where = np.unique(given, return_inverse=True)
    times = np.bincount(where, weights=weights, minlength=distinct.size).astype(np.int64)
    n = int(times.sum())
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    chunk = max(1, _BOOT_CHUNK_CELLS // distinct.size)
    means = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        stop = min(start + chunk, n_boot)
        picks = rng.multinomial(n, times / n, size=stop - start)
        means[start:stop] = picks @ distinct / n
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(times @ distinct / n), float(low), float(high)


def near_duplicate_forest(
    ids: Sequence[str], signatures: npt.ArrayLike, threshold: float
) -> list[tuple[str, str, float]]:
    """`(a, b, estimated Jaccard)` links, a < b, of a maximum-similarity spanning forest of
    the pairs of `ids` whose signatures agree on at least `threshold` of positions.

    The links connect exactly the groups that all such pairs connect, in at most
    len(ids) - 1 links instead of up to len(ids)**2 / 2: an LSH bucket of templated cards
    yields its clusters without its pairs. Every link is itself a verified pair. Ids are
    sorted first, so the same members give the same links in any order.

    >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 3, 4], [9, 9, 9, 9]])
    >>> near_duplicate_forest(["c", "b", "a", "d"], sigs, 0.75)
    [('a', 'b', 0.75), ('a', 'c', 1.0)]
    """
    order = sorted(range(len(ids)), key=ids.__getitem__)
    names = [ids[i] for i in order]
    matrix = np.asarray(signatures)[order]
    n, width = matrix.shape if matrix.ndim == 2 else (0, 0)
    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    agree: list[npt.NDArray[np.int64]] = []
    block = max(1, 4_000_000 // max(1, n * width))
    for start in range(0, n, block):
        # Each row against itself and the rows after it: every pair once.
        matches = (matrix[start : start + block, None, :] == matrix[None, start:, :]).sum(axis=2)
        # The same division and comparison as Spark's check of the large buckets' stars.
        i, j = np.nonzero(matches / width >= threshold)
        later = j > i
        rows.append(i[later] + start)
        cols.append(j[later] + start)
        agree.append(matches[i[later], j[later]])
    if not rows or not sum(len(r) for r in rows):
        return []
    i, j, m = np.concatenate(rows), np.concatenate(cols), np.concatenate(agree)
    # Weights must be positive: width + 1 - matches makes the most similar pairs cheapest.
    # The candidates are listed by i then j, so the forest's positions come in link order.
    kept = spanning_forest(n, i, j, width + 1 - m)
    return [(names[i[e]], names[j[e]], int(m[e]) / width) for e in kept]


# Up to this many candidate links a bucket's forest is found in Python; above, by SciPy.
PYTHON_FOREST_LINKS = 2_000


def spanning_forest(
    n: int,
    i: npt.NDArray[np.int64],
    j: npt.NDArray[np.int64],
    weight: npt.NDArray[np.int64],
    python_up_to: int = PYTHON_FOREST_LINKS,
) -> list[int]:
    """Positions of the links (`i`-`j`, listed by `i` then `j`) of the minimum spanning
    forest over `n` vertices: SciPy's `minimum_spanning_tree`, which takes the links in a
    stable sort by weight and keeps each that joins two trees (Kruskal).

    Most LSH buckets hold two or three cards, where SciPy's sparse set-up cost about
    340 us a bucket and the links themselves nothing: the same loop in Python takes the
    forest SciPy would, tie for tie, in a few microseconds. Only buckets with many
    candidate links go to SciPy.

    >>> spanning_forest(3, np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([2, 1, 1]))
    [1, 2]
    """
    if len(weight) > python_up_to:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import minimum_spanning_tree

        tree = minimum_spanning_tree(coo_matrix((weight, (i, j)), shape=(n, n))).tocoo()
        position = {link: e for e, link in enumerate(zip(i.tolist(), j.tolist(), strict=True))}
        tree_ends = zip(tree.row.tolist(), tree.col.tolist(), strict=True)
        return sorted(position[link] for link in tree_ends)
    parent = list(range(n))

    def root(vertex: int) -> int:
        while parent[vertex] != vertex:
            parent[vertex] = parent[parent[vertex]]
            vertex = parent[vertex]
        return vertex

    kept: list[int] = []
    ends = list(zip(i.tolist(), j.tolist(), strict=True))
    for link in np.argsort(weight, kind="stable").tolist():
        a, b = root(ends[link][0]), root(ends[link][1])
        if a != b:
            parent[a] = b
            kept.append(link)
            if len(kept) == n - 1:
                break
    return sorted(kept)
