"""Card sketches: shingles, signatures equal to datasketch's, LSH bands, pair samples, CIs."""

import os
import random
import subprocess
import sys
import tracemalloc
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udfs import minhash
from udfs.cards import TEMPLATE_PATH, lowered_body, render_template, split_front_matter
from udfs.minhash import (
    SIGNATURE_DTYPE,
    Sketcher,
    batch_words,
    bootstrap_ci,
    card_shingles,
    card_words,
    choose_bands,
    estimate_jaccard,
    estimate_jaccard_many,
    exact_jaccard,
    near_duplicate_forest,
    sample_sibling_pairs,
    shingle_hash,
    spanning_forest,
    to_list,
)

REPO = Path(__file__).resolve().parents[2]
TRAINER_CARD = (Path(__file__).parent / "fixtures" / "trainer_card.md").read_text(encoding="utf-8")
TEMPLATE_CARD = render_template(TEMPLATE_PATH.read_text(encoding="utf-8"))


def words_text(rng: random.Random, n_words: int, vocabulary: int = 5000) -> list[str]:
    return [f"w{rng.randrange(vocabulary)}" for _ in range(n_words)]


def datasketch_signature(card: str, num_perm: int, seed: int, n: int) -> np.ndarray:
    """The reference: a fresh datasketch MinHash updated one shingle at a time."""
    reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash)
    for shingle in card_shingles(card, n):
        reference.update(shingle)
    return reference.hashvalues


# --- shingles --------------------------------------------------------------------------------


def test_shingles_are_word_ngrams_of_the_body_without_front_matter():
    card = "---\nlicense: mit\ntags: [secret]\n---\nA fine-tuned BERT, for NER."
    assert card_shingles(card, 3) == {
        "a fine tuned",
        "fine tuned bert",
        "tuned bert for",
        "bert for ner",
    }
    assert not any("secret" in shingle or "mit" in shingle for shingle in card_shingles(card, 1))


def test_markup_and_punctuation_collapse_to_the_same_words():
    markdown = (
        "## **Model** _details_\n\n<p align='center'><img src='https://x.io/a.png'></p>\n"
        "See [the paper](https://arxiv.org/abs/1) &amp; https://hf.co/org/m!\n```py\nx = 1\n```"
    )
    plain = "model details see the paper py x 1"
    assert card_words(markdown) == plain.split()
    assert card_shingles(markdown, 3) == card_shingles(plain, 3)


def words_by_expression(card: str | None) -> list[str]:
    """The definition `card_words` implements faster: the token expression over every
    character of the lowercased body with its markup removed."""
    if not card:
        return []
    body = split_front_matter(card)[1].lower()
    return minhash._TOKEN_RE.findall(minhash._NOISE_RE.sub(" ", body))


@pytest.mark.parametrize(
    "card",
    [
        "Modèle_français — 2ème édition; naïve café!",
        "İstanbul ΣΟΦΙΑ ﬁne-tuned ½ ² Ⅻ \u3007 日本語のモデル x\u00a0y\u2028z a\u0301b",
        "emoji 🤗 between 🤗words🤗 and a\u200bzero-width\ufeffjoiner",
        "tab\tvertical\x0bform\x0cfile\x1csep\x1dgroup\x1erecord\x1funit\x85next",
        "lone \udce9 surrogate and \x00 NUL and DEL\x7f",
    ],
)
def test_card_words_equal_the_token_expression_on_unicode_cards(card):
    assert card_words(card) == words_by_expression(card)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
        | st.sampled_from(list(" \t\n_-*#[]()<>&;:/.,!?\u00a0\u2028\x1c\x85ÀÉİΣ½²"))
    )
)
def test_card_words_equal_the_token_expression_on_any_text(card):
    assert card_words(card) == words_by_expression(card)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(
        st.none()
        | st.text(
            alphabet=st.characters(codec="utf-8")
            | st.sampled_from(list(" \t\n_-*#[]()<>&;:/.,!?\u00a0\u2028\x1c\x85ÀÉİΣ½²\udce9"))
        ),
        max_size=5,
    )
)
def test_a_batch_splits_into_each_cards_words_in_order(cards):
    """The batch path (Arrow splits and numbers the words) against `card_words` card by card,
    on any text: unicode spaces, lone surrogates, empty cards."""
    found = batch_words([lowered_body(card) for card in cards])
    expected = [card_words(card) for card in cards]
    assert [found.vocabulary[i] for i in found.ids] == [w for words in expected for w in words]
    assert found.owner.tolist() == [k for k, words in enumerate(expected) for _ in words]
    assert found.length.tolist() == [len(words) for words in expected]
    assert len(set(found.vocabulary)) == len(found.vocabulary)


def test_card_shorter_than_n_words_is_the_set_of_its_words():
    assert card_shingles("Hello, world", 3) == {"hello", "world"}
    assert card_shingles("Hello, hello", 3) == {"hello"}
    assert card_shingles("one two three", 3) == {"one two three"}


@pytest.mark.parametrize(
    "card",
    [
        None,
        "",
        "   \n\t ",
        "---\nlicense: mit\n---\n",
        "\ufeff---\r\na: 1\r\n---\r\n  ",
        "*** --- !!",
    ],
    ids=[
        "none",
        "empty",
        "whitespace",
        "front-matter-only",
        "bom-crlf-front-matter",
        "punctuation",
    ],
)
def test_cards_without_words_have_no_shingles_and_no_signature(card):
    assert card_shingles(card, 3) == set()
    assert Sketcher().sketch([card, "some words here"]).n_shingles == [0, 1]
    assert Sketcher().signatures([card])[0] is None


def test_cards_differing_only_in_front_matter_have_identical_signatures():
    _, body = TRAINER_CARD.split("\n---\n", 1)
    other = "---\nlicense: gpl-3.0\nlanguage: [fr, de]\nbase_model: org/other\n---\n" + body
    first, second, bare = Sketcher().signatures([TRAINER_CARD, other, body])
    assert np.array_equal(first, second)
    assert np.array_equal(first, bare)


@pytest.mark.parametrize(
    "hostile", ["[" * 200_000, "](" * 100_000, "<a" * 100_000, "&#" * 100_000, "http://" * 30_000]
)
def test_unclosed_markup_is_read_in_linear_time(hostile):
    """A quadratic regex would take hours on these 200,000-character cards."""
    assert card_words(hostile + " end")[-1] == "end"


# --- signatures ------------------------------------------------------------------------------


@pytest.mark.parametrize(("num_perm", "seed", "n"), [(128, 1, 3), (64, 7, 2), (16, 42, 1)])
def test_batch_signatures_equal_datasketch_one_shingle_at_a_time(num_perm, seed, n):
    rng = random.Random(seed)
    big = " ".join(words_text(rng, 3 * minhash._HASH_CHUNK, vocabulary=50_000))  # > one chunk
    cards = [TRAINER_CARD, "Hello world", big, None, " ".join(words_text(rng, 300))]
    signatures = Sketcher(num_perm=num_perm, seed=seed, shingle_size=n).signatures(cards)
    assert len(card_shingles(big, n)) > minhash._HASH_CHUNK
    for card, signature in zip(cards, signatures, strict=True):
        if card is None:
            assert signature is None
            continue
        expected = datasketch_signature(card, num_perm, seed, n)
        assert signature is not None
        assert signature.dtype == SIGNATURE_DTYPE == expected.dtype
        assert signature.tobytes() == expected.tobytes()


def test_a_card_with_a_lone_surrogate_sketches_like_datasketch_and_leaves_the_batch_alone():
    """Arrow numbers a batch's words and cannot hold a lone surrogate: none may reach it."""
    rng = random.Random(5)
    cards = [TRAINER_CARD, " ".join(words_text(rng, 200)), "Hello wörld again"]
    odd = "caf\udce9 au lait, with a lone surrogate in the first word"
    sketcher = Sketcher(num_perm=32, seed=3, shingle_size=2)
    plain = sketcher.sketch(cards)
    mixed = sketcher.sketch([*cards, odd])
    assert mixed.n_shingles[:-1] == plain.n_shingles
    assert mixed.template_scores[:-1] == plain.template_scores
    for left, right in zip(mixed.signatures, plain.signatures, strict=False):
        assert left is not None and right is not None
        assert left.tobytes() == right.tobytes()
    odd_signature = mixed.signatures[-1]
    assert odd_signature is not None
    assert odd_signature.tobytes() == datasketch_signature(odd, 32, 3, 2).tobytes()


def test_batches_over_the_sort_limit_are_split_without_changing_anything(monkeypatch):
    rng = random.Random(3)
    cards = [" ".join(words_text(rng, rng.randrange(0, 40), 30)) for _ in range(11)]
    whole = Sketcher(num_perm=32).sketch(cards)
    monkeypatch.setattr(minhash, "_MAX_SORT_CARDS", 4)
    split = Sketcher(num_perm=32).sketch(cards)
    assert split.n_shingles == whole.n_shingles
    assert split.template_scores == whole.template_scores
    for left, right in zip(split.signatures, whole.signatures, strict=True):
        assert (left is None and right is None) or np.array_equal(left, right)


DIGEST_SCRIPT = """
import hashlib, pathlib
from udfs.minhash import Sketcher, sample_sibling_pairs
card = pathlib.Path("tests/udfs/fixtures/trainer_card.md").read_text(encoding="utf-8")
cards = [card, card.upper(), "short card", None] + [f"card {i} of a batch" for i in range(50)]
digest = hashlib.sha256()
for signature in Sketcher().signatures(cards):
    if signature is not None:
        digest.update(signature.tobytes())
digest.update(repr(sample_sibling_pairs([str(i) for i in range(500)], 50, 3, "p")).encode())
print(digest.hexdigest())
"""


def test_outputs_are_identical_in_fresh_processes_with_different_hash_seeds():
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", DIGEST_SCRIPT],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for hash_seed in ("1", "2024")
    ]
    digests = [run.communicate(timeout=60)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert len(digests[0]) == 64
    assert digests[0] == digests[1]


def mutated_pairs(seed: int, targets: np.ndarray, n: int = 3) -> list[tuple[str, str]]:
    """Card pairs whose shingle Jaccard is near each target: every word of the second card
    is replaced with probability p, so a shingle survives with (1 - p)**n = 2J / (1 + J)."""
    rng = random.Random(seed)
    pairs = []
    for target in targets:
        replace = 1 - (2 * target / (1 + target)) ** (1 / n)
        words = words_text(rng, rng.randint(300, 1500))
        other = [f"w{rng.randrange(5000)}" if rng.random() < replace else w for w in words]
        pairs.append((" ".join(words), " ".join(other)))
    return pairs


def test_estimates_are_close_to_exact_jaccard_at_128_permutations():
    pairs = mutated_pairs(seed=3, targets=np.linspace(0.1, 0.9, 30))
    sketcher = Sketcher(num_perm=128)
    exact, estimated = [], []
    for a, b in pairs:
        exact.append(exact_jaccard(card_shingles(a, 3), card_shingles(b, 3)))
        estimated.append(estimate_jaccard(*sketcher.signatures([a, b])))
    errors = np.abs(np.array(estimated) - np.array(exact))
    assert min(exact) < 0.15 and max(exact) > 0.85  # the pairs span the range
    # One estimate's standard error is sqrt(J(1 - J) / 128) <= 0.044.
    # Seed 3: mean 0.031, max 0.116. Seeds 100-119: mean 0.030 (worst 0.036), max <= 0.126.
    assert errors.mean() < 0.04
    assert errors.max() < 0.15


def test_identical_cards_estimate_one_and_disjoint_cards_zero():
    rng = random.Random(5)
    text = " ".join(words_text(rng, 800))
    disjoint = " ".join(f"v{i}" for i in range(800))
    same, copy, other = Sketcher().signatures([text, text, disjoint])
    assert estimate_jaccard(same, copy) == 1.0
    assert estimate_jaccard(same, other) < 0.05


def test_signatures_survive_the_spark_round_trip_as_longs():
    signature = Sketcher().signatures(["hello"])[0]  # one shingle: values spread over 32 bits
    stored = to_list(signature)
    assert all(type(v) is int and 0 <= v < 2**32 for v in stored)
    assert max(stored) > 2**31 - 1  # the reason for array<long>: Spark's int would overflow
    assert estimate_jaccard(signature, stored) == 1.0


def test_batch_estimates_equal_pairwise_estimates():
    cards = [" ".join(words_text(random.Random(i), 200, vocabulary=400)) for i in range(6)]
    signatures = Sketcher().signatures(cards)
    left = np.stack(signatures[:3])
    right = np.array([to_list(s) for s in signatures[3:]])
    expected = [estimate_jaccard(a, b) for a, b in zip(left, right, strict=True)]
    assert estimate_jaccard_many(left, right).tolist() == expected
    with pytest.raises(ValueError):
        estimate_jaccard_many(left, right[:2])
    with pytest.raises(ValueError):
        estimate_jaccard(left[0], left[0][:10])


def test_exact_jaccard_of_trait_sets():
    assert exact_jaccard({"en", "fr"}, {"en"}) == 0.5
    assert exact_jaccard(["mit"], ["mit", "mit"]) == 1.0
    assert exact_jaccard({"a"}, set()) == 0.0
    assert exact_jaccard(set(), []) is None
    assert exact_jaccard(None, None) is None
    assert exact_jaccard(np.array(["en", "de"]), np.array(["de"])) == 0.5  # Arrow's arrays


# --- LSH bands -------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_choose_bands_is_datasketchs_lsh_choice(threshold):
    bands, rows = choose_bands(128, threshold)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    assert (bands, rows) == (lsh.b, lsh.r)
    assert bands * rows <= 128


# --- sibling pairs ---------------------------------------------------------------------------


def test_all_sibling_pairs_when_under_the_cap():
    children = ["d", "b", "a", "c", "b"]
    assert sample_sibling_pairs(children, cap=6, seed=0, key="p") == list(combinations("abcd", 2))
    assert sample_sibling_pairs(["only"], cap=6, seed=0, key="p") == []
    assert sample_sibling_pairs(children, cap=0, seed=0, key="p") == []


def test_over_the_cap_a_seeded_sample_of_distinct_pairs_independent_of_order():
    children = [f"org/model-{i}" for i in range(200)]  # 19,900 pairs
    pairs = sample_sibling_pairs(children, cap=500, seed=7, key="org/base")
    assert len(pairs) == len(set(pairs)) == 500
    assert all(a < b and a in children and b in children for a, b in pairs)
    shuffled = random.Random(1).sample(children, len(children))
    assert sample_sibling_pairs(shuffled, cap=500, seed=7, key="org/base") == pairs
    assert sample_sibling_pairs(children, cap=500, seed=8, key="org/base") != pairs
    assert sample_sibling_pairs(children, cap=500, seed=7, key="org/other") != pairs
    firsts = {a for a, _ in pairs}
    assert len(firsts) > 100  # spread over the whole family, not the first rows


def test_thirty_thousand_children_never_build_all_pairs():
    children = [f"child-{i}" for i in range(30_000)]  # 449,985,000 pairs
    tracemalloc.start()
    try:
        pairs = sample_sibling_pairs(children, cap=10_000, seed=1, key="p")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(set(pairs)) == 10_000
    assert peak < 32 * 2**20  # all pair numbers alone would take 3.6 GB


# --- bootstrap -------------------------------------------------------------------------------


def test_bootstrap_interval_contains_the_mean_and_narrows_with_n():
    rng = np.random.default_rng(0)
    small, large = rng.uniform(size=50), rng.uniform(size=5000)
    mean, low, high = bootstrap_ci(small, n_boot=500, seed=1)
    assert mean == pytest.approx(small.mean())
    assert low < mean < high
    _, low_large, high_large = bootstrap_ci(large, n_boot=500, seed=1)
    assert high_large - low_large < (high - low) / 5


def test_bootstrap_is_seeded():
    values = [0.2, 0.5, 0.9, 0.1, 0.4, 0.7]
    assert bootstrap_ci(values, 300, seed=3) == bootstrap_ci(values, 300, seed=3)
    assert bootstrap_ci(values, 300, seed=3) != bootstrap_ci(values, 300, seed=4)


def test_bootstrap_does_not_depend_on_the_order_of_values():
    values = [i / 97 for i in range(97)]
    shuffled = values[::-1][:50] + values[::-1][50:][::-1]
    assert bootstrap_ci(values, 500, seed=3) == bootstrap_ci(shuffled, 500, seed=3)


def test_bootstrap_resamples_in_chunks(monkeypatch):
    values = np.random.default_rng(2).uniform(size=3000)
    whole = bootstrap_ci(values, n_boot=200, seed=0)
    monkeypatch.setattr(minhash, "_BOOT_CHUNK_CELLS", 3000)  # one resample per chunk
    mean, low, high = bootstrap_ci(values, n_boot=200, seed=0)
    assert low < mean < high and high - low < 0.05
    assert (mean, low, high) == pytest.approx(whole)


def _index_resampling_ci(values, n_boot, seed):
    """The textbook bootstrap: n_boot resamples of n random positions each."""
    rng = np.random.default_rng(seed)
    resamples = rng.integers(0, len(values), size=(n_boot, len(values)))
    return np.quantile(values[resamples].mean(axis=1), [0.025, 0.975])


@pytest.mark.parametrize("distinct", [2, 129, 5_000])
def test_bootstrap_counts_match_index_resampling(distinct):
    # Card estimates take at most 129 values, trait Jaccards few; all distinct is the worst.
    rng = np.random.default_rng(5)
    values = rng.integers(0, distinct, size=5_000) / distinct
    mean, low, high = bootstrap_ci(values, n_boot=2000, seed=1)
    textbook_low, textbook_high = _index_resampling_ci(values, 2000, seed=2)
    width = textbook_high - textbook_low
    assert mean == pytest.approx(values.mean())
    assert low == pytest.approx(textbook_low, abs=0.1 * width)
    assert high == pytest.approx(textbook_high, abs=0.1 * width)


def test_bootstrap_of_counted_values_equals_the_values_repeated():
    values, counts = [0.25, 1.0, 0.0, 0.25], [3, 1, 5, 2]  # 0.25 twice: merged
    repeated = np.repeat(values, counts)
    assert bootstrap_ci(values, 400, seed=9, counts=counts) == bootstrap_ci(repeated, 400, seed=9)
    assert all(np.isnan(v) for v in bootstrap_ci([0.5, 0.7], 100, seed=0, counts=[0, 0]))


def test_bootstrap_edge_cases():
    assert bootstrap_ci([0.5], 100, seed=0) == (0.5, 0.5, 0.5)
    assert all(np.isnan(v) for v in bootstrap_ci([], 100, seed=0))
    with pytest.raises(ValueError):
        bootstrap_ci([0.5], 0, seed=0)


# --- fuzz ------------------------------------------------------------------------------------

MARKUP = st.sampled_from(
    [
        "---\n",
        "\r\n",
        "\ufeff",
        "[a](",
        ")",
        "](",
        "<b>",
        "<!--",
        "-->",
        "&amp;",
        "http://x",
        "_",
        "\udce9",
    ]
)
card_like = st.one_of(
    st.text(), st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=40).map("".join)
)


@settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.one_of(st.none(), card_like), max_size=4), st.integers(1, 4))
def test_any_text_sketches_without_raising(cards, n):
    sketches = Sketcher(num_perm=16, shingle_size=n).sketch([*cards, TEMPLATE_CARD])
    template = card_shingles(TEMPLATE_CARD, n)
    for card, signature, count, score in zip(cards, *sketches, strict=False):
        shingles = card_shingles(card, n)
        assert count == len(shingles)
        assert score == (len(shingles & template) / len(shingles | template) if count else 0.0)
        assert (signature is None) == (count == 0)
        if signature is not None:
            assert signature.shape == (16,)


def components(ids, links):
    """Connected components of `links` over `ids`, as a set of frozensets."""
    group = {m: {m} for m in ids}
    for a, b, *_ in links:
        if group[a] is not group[b]:
            merged = group[a] | group[b]
            for m in merged:
                group[m] = merged
    return {frozenset(g) for g in group.values()}


def planted_bucket(seed: int, n: int, width: int = 128):
    """Signatures of `n` cards in a few near-duplicate groups: each a base signature with a
    few positions changed per member, plus loners; ids of real shapes."""
    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 2**32, size=(4, width))
    rows, ids = [], []
    for k in range(n):
        row = bases[k % 4].copy() if k % 5 else rng.integers(0, 2**32, size=width)
        changed = rng.choice(width, size=int(rng.integers(0, 40)), replace=False)
        row[changed] = rng.integers(0, 2**32, size=len(changed))
        rows.append(row)
        ids.append(f"TheBloke/m\u00f6del-{k:03d}.v1-GGUF" if k % 3 else f"org-{k}/x.git")
    return ids, np.array(rows, dtype=np.int64)


@pytest.mark.parametrize("seed", range(5))
def test_near_duplicate_forest_connects_what_all_verified_pairs_connect(seed):
    ids, sigs = planted_bucket(seed, 60)
    threshold = 0.8
    verified = {
        (min(ids[i], ids[j]), max(ids[i], ids[j])): float(np.mean(sigs[i] == sigs[j]))
        for i, j in combinations(range(len(ids)), 2)
        if np.mean(sigs[i] == sigs[j]) >= threshold
    }
    links = near_duplicate_forest(ids, sigs, threshold)
    assert len(verified) > len(links) > 0
    assert all(verified[(a, b)] == value for a, b, value in links)  # every link is verified
    assert components(ids, links) == components(ids, verified)
    assert len(links) == len(ids) - len(components(ids, links))  # a forest: no redundant link


def test_near_duplicate_forest_does_not_depend_on_member_order():
    ids, sigs = planted_bucket(9, 40)
    order = np.random.default_rng(1).permutation(len(ids))
    shuffled = near_duplicate_forest([ids[i] for i in order], sigs[order], 0.8)
    assert shuffled == near_duplicate_forest(ids, sigs, 0.8)


def test_near_duplicate_forest_of_unrelated_or_tiny_buckets_is_empty():
    ids = ["org/a", "org/b"]
    unrelated = np.arange(256, dtype=np.int64).reshape(2, 128)
    assert near_duplicate_forest(ids, unrelated, 0.8) == []
    assert near_duplicate_forest(["only"], unrelated[:1], 0.8) == []


@pytest.mark.parametrize("seed", range(20))
def test_spanning_forest_in_python_is_scipys_tie_for_tie(seed):
    """The Python loop small buckets take keeps exactly the links SciPy keeps, on graphs
    with many equal weights (ties decided by list order) and several components."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    i, j = np.triu_indices(n, k=1)
    chosen = rng.random(len(i)) < rng.uniform(0.05, 0.6)
    i, j = i[chosen].astype(np.int64), j[chosen].astype(np.int64)
    weight = rng.integers(1, 4, size=len(i)).astype(np.int64)  # few values: ties everywhere

    in_python = spanning_forest(n, i, j, weight)
    by_scipy = spanning_forest(n, i, j, weight, python_up_to=0)

    assert in_python == by_scipy
    vertices = list(range(n))
    forest = [(i[e], j[e]) for e in in_python]
    assert components(vertices, forest) == components(vertices, zip(i, j, strict=True))
    assert len(forest) == n - len(components(vertices, forest))  # no redundant link
