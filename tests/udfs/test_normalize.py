from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.normalize import (
    DEFAULT_LICENSES_PATH,
    INT64_MAX,
    clean_text,
    default_license_table,
    license_category,
    load_language_table,
    load_license_table,
    normalize_count,
    normalize_datasets,
    normalize_languages,
    normalize_library,
    normalize_licenses,
    normalize_slug,
    normalize_tags,
    normalize_timestamp,
    text_list,
)
from udfs.parents import parse_parents

# --- licenses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tags", "expected"),
    [
        ("MIT", [], ["mit"]),
        (" mit ", [], ["mit"]),
        ("apache-2", [], ["apache-2.0"]),
        ("Apache 2.0", [], ["apache-2.0"]),
        ("apache2", [], ["apache-2.0"]),
        ("Apache License, Version 2.0", [], ["apache-2.0"]),
        ("BSD-3", [], ["bsd-3-clause"]),
        ("Academic Free License v3.0", [], ["afl-3.0"]),
        ("other", [], ["other"]),
        ("wtfpl", [], ["wtfpl"]),
        ("openrail++", [], ["openrail++"]),
        ("???", [], ["unknown"]),
        ("", [], ["unknown"]),
        ("none", [], ["unknown"]),
        ("n/a", [], ["unknown"]),
        ("2.0", [], ["unknown"]),
        (False, [], ["unknown"]),
        ({"name": "mit"}, [], ["unknown"]),
        (None, [], []),
        ([], [], []),
        (["mit", "Apache-2.0", "mit"], [], ["apache-2.0", "mit"]),
        (["CC-BY-SA-4.0"], [], ["cc-by-sa-4.0"]),
        (["mit", "???"], [], ["mit"]),
        (["???", None], [], ["unknown"]),
        (None, ["license:apache-2.0", "pytorch"], ["apache-2.0"]),
        ("mit", ["license:mit", "license:other"], ["mit", "other"]),
        (None, ["license:???"], ["unknown"]),
    ],
)
def test_normalize_licenses(value, tags, expected):
    assert normalize_licenses(value, tags) == expected


@pytest.mark.parametrize(
    ("license", "category"),
    [
        ("gemma", "commercial"),
        ("llama3.1", "commercial"),
        ("Llama-2", "commercial"),
        ("openrail++", "use-restricted"),
        ("cc-by-nc-nd-4.0", "use-restricted"),
        ("bigscience-bloom-rail-1.0", "use-restricted"),
        ("cc-by-4.0", "copyleft"),
        ("gpl-3.0", "copyleft"),
        ("MIT", "permissive"),
        ("apache-2", "permissive"),
        ("cc", "permissive"),
        ("other", "other"),
        ("agpl-3.0", "other"),
        ("unknown", "unknown"),
        ("???", "unknown"),
    ],
)
def test_license_category(license, category):
    assert license_category(license, default_license_table()) == category


def test_license_table_lists_designs_categories():
    table = load_license_table(DEFAULT_LICENSES_PATH)
    counts: dict[str, int] = {}
    for category in table.category.values():
        counts[category] = counts.get(category, 0) + 1
    assert counts == {"commercial": 6, "use-restricted": 7, "copyleft": 4, "permissive": 7}


def test_custom_license_table(tmp_path):
    path = tmp_path / "licenses.yaml"
    path.write_text(
        "categories:\n  commercial: []\n  use-restricted: []\n  copyleft: [agpl-3.0]\n"
        "  permissive: [mit]\naliases:\n  Affero GPL: agpl-3.0\nunknown: [nope]\n"
    )
    table = load_license_table(path)
    assert normalize_licenses(["affero gpl", "nope"], [], table) == ["agpl-3.0"]
    assert license_category("Affero_GPL", table) == "copyleft"
    assert license_category("gpl-3.0", table) == "other"


@pytest.mark.parametrize(
    "text",
    [
        "categories: {}\naliases: {}\nunknown: []\n",
        "categories:\n  commercial: []\n  use-restricted: []\n  copyleft: [mit]\n"
        "  permissive: [MIT]\naliases: {}\nunknown: []\n",
        "categories:\n  commercial: []\n  use-restricted: []\n  copyleft: []\n"
        "  permissive: []\naliases: {}\nunknown: []\nextra: 1\n",
        "categories:\n  commercial: []\n  use-restricted: []\n  copyleft: []\n"
        "  permissive: mit\naliases: {}\nunknown: []\n",
    ],
    ids=["missing-categories", "two-categories", "unknown-key", "not-a-list"],
)
def test_malformed_license_table_fails_at_load(tmp_path, text):
    path = tmp_path / "licenses.yaml"
    path.write_text(text)
    with pytest.raises(ValueError):
        load_license_table(path)


# --- languages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tags", "expected"),
    [
        ("en", [], ["en"]),
        ("EN", [], ["en"]),
        (["en", "de"], [], ["de", "en"]),
        (["ru", "ru-RU"], [], ["ru"]),
        ("en_US", [], ["en"]),
        ("zh-Hans", [], ["zh"]),
        ("nn-NO", [], ["nn"]),
        ("eng", [], ["en"]),
        ("Chinese", [], ["zh"]),
        ("French Spanish", [], ["es", "fr"]),
        ("en, fr; de", [], ["de", "en", "fr"]),
        ("multilingual", [], ["multilingual"]),
        (["fa", "multilingual"], [], ["fa", "multilingual"]),
        (False, [], ["no"]),
        ([False, "sv"], [], ["no", "sv"]),
        ([0, True], [], []),
        ("unk", [], []),
        ("noinfo", [], []),
        ("???", [], []),
        ("xx", [], []),
        ({"en": 1}, [], []),
        (None, [], []),
        (None, ["language:de", "language:pt-BR", "language:xx"], ["de", "pt"]),
        (None, ["en", "fr", "tf", "t5", "pytorch", "de-duplication"], ["en", "fr"]),
        (None, ["multilingual"], ["multilingual"]),
        ("en", ["en", "language:en"], ["en"]),
    ],
)
def test_normalize_languages(value, tags, expected):
    assert normalize_languages(value, tags) == expected


@pytest.mark.parametrize(
    ("value", "tags", "card_tags", "expected"),
    [
        ("English or French", [], None, ["en", "fr"]),
        ("English to Korean", [], None, ["en", "ko"]),
        ("ISO 639-1 code for your language, or `multilingual`", [], None, []),
        (["it", "is"], [], None, ["is", "it"]),  # one code per item: Italian, Icelandic
        ("it, en", [], None, ["en", "it"]),
        ("de|it/is;or", [], None, ["de", "is", "it", "or"]),
        ("en", ["en", "sg", "singapore"], ["sg", "singapore"], ["en"]),
        ("en", ["eu", "da", "language:da", "en"], ["eu", "da", "language:da"], ["da", "en"]),
        ("en", ["en", "fr"], "fr", ["en"]),
        (None, ["cs", "bert"], ["cs", "bert"], ["cs"]),
    ],
    ids=[
        "or",
        "to",
        "the card template's placeholder",
        "codes alone stay codes",
        "a list of codes stays codes",
        "items split on , ; / |",
        "a card's own tag is not a language when the card declares one",
        "language: tags still count",
        "card tags as one string",
        "without a declared language, the card's own code tag is its language",
    ],
)
def test_words_and_a_cards_own_tags_are_not_languages(value, tags, card_tags, expected):
    """Cards of the 2022 slice: jpelhaw's template placeholder gave Oriya, a declared
    language's card with a `sg` tag (Singapore) Sango; UWB-AIR/Czert's only language is its
    own `cs` tag."""
    assert normalize_languages(value, tags, card_tags) == expected


def test_language_table_aliases_must_point_at_codes(tmp_path):
    path = tmp_path / "languages.yaml"
    path.write_text("codes: [en]\naliases: {english: en, klingon: tlh}\n")
    with pytest.raises(ValueError, match="tlh"):
        load_language_table(path)


# --- datasets, tags, library, pipeline -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tags", "expected"),
    [
        ("glue", [], ["glue"]),
        (["squad", "glue", "squad"], [], ["glue", "squad"]),
        ([None, "", "  c4 "], [], ["c4"]),
        (None, ["dataset:glue", "dataset:org/set", "license:mit"], ["glue", "org/set"]),
        ("https://huggingface.co/datasets/org/set/", [], ["org/set"]),
        (["mozilla-foundation/common_voice_8_0"], [], ["mozilla-foundation/common_voice_8_0"]),
        ({"name": "glue"}, [], []),
        ("x" * 500, [], []),
    ],
)
def test_normalize_datasets(value, tags, expected):
    assert normalize_datasets(value, tags) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://huggingface.co/datasets/org/set/tree/main",
        "https://huggingface.co/datasets/org/set/blob/main/data/train.csv",
        "https://huggingface.co/datasets/org/set/resolve/main/train.parquet",
        "https://huggingface.co/datasets/org/set/raw/main/README.md",
        "https://huggingface.co/datasets/org/set/viewer/default/train",
        "https://huggingface.co/datasets/org/set?x=1",
        "https://huggingface.co/datasets/org/set#usage",
        "HTTPS://HuggingFace.co/datasets/org/set",
        "hf.co/datasets/org/set/",
    ],
)
def test_hub_dataset_urls_become_the_dataset_id(url):
    assert normalize_datasets(url, []) == ["org/set"]


def test_only_hub_dataset_urls_are_cut():
    values = ["https://example.org/data?x=1", "c4/en", "org/set/tree/main"]
    assert normalize_datasets(values, []) == sorted(values)
    assert normalize_datasets("https://huggingface.co/datasets", []) == []


def test_normalize_tags():
    assert normalize_tags(["b", "a", " b ", None, ""]) == ["a", "b"]
    assert normalize_tags(None) == []
    assert normalize_tags("single") == ["single"]


_TAG = st.one_of(
    st.text(),
    st.sampled_from(["license:MIT ", " language:de", "fr", "dataset:glue", "base_model:a/b"]),
    st.builds(lambda tag: f"base_model:finetune:{tag}", st.text()),
    st.integers(),
    st.none(),
)


@given(st.lists(_TAG, max_size=12))
@settings(max_examples=300, deadline=None)
def test_traits_read_the_same_from_cleaned_tags_as_from_raw_ones(raw):
    """normalize_tags's result is not cleaned again (CleanTexts): every trait read from it
    must equal the trait read from the raw tags, lone surrogates and padding included."""
    tags = normalize_tags(raw)
    assert text_list(tags) is tags
    assert text_list(list(tags)) == tags
    assert normalize_licenses(None, tags) == normalize_licenses(None, raw)
    assert normalize_languages(None, tags) == normalize_languages(None, raw)
    assert normalize_datasets(None, tags) == normalize_datasets(None, raw)
    assert parse_parents(tags, None, None) == parse_parents(raw, None, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" Transformers ", "transformers"),
        ("sentence-transformers", "sentence-transformers"),
        ("", None),
        (None, None),
        (["transformers"], None),
    ],
)
def test_normalize_library(value, expected):
    assert normalize_library(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text-classification", "text-classification"),
        ("Text-Generation", "text-generation"),
        ("text classification", "text-classification"),
        ("any-new-task", "any-new-task"),
        ("", None),
        ("???", None),
        (3, "3"),
        (None, None),
    ],
)
def test_normalize_slug(value, expected):
    assert normalize_slug(value) == expected


# --- scalars -------------------------------------------------------------------------------


def test_clean_text_replaces_lone_surrogates():
    text = clean_text("caf\udce9")
    assert text == "caf\ufffd"
    assert text.encode("utf-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-10-28T17:14:26.000Z", "2021-10-28T17:14:26"),
        ("2021-10-28T17:14:26Z", "2021-10-28T17:14:26"),
        ("2021-10-28T17:14:26.123456+00:00", "2021-10-28T17:14:26"),
        ("2021-10-28T19:14:26+0200", "2021-10-28T17:14:26"),
        ("2021-10-28 12:14:26-05:00", "2021-10-28T17:14:26"),
        ("2021-10-28T17:14", "2021-10-28T17:14:00"),
        ("2021-10-28", "2021-10-28T00:00:00"),
        (datetime(2021, 10, 28, 17, 14, 26), "2021-10-28T17:14:26"),
        (
            datetime(2021, 10, 28, 19, 14, 26, tzinfo=timezone(timedelta(hours=2))),
            "2021-10-28T17:14:26",
        ),
        (date(2021, 10, 28), "2021-10-28T00:00:00"),
        ("2021-02-30T00:00:00Z", None),
        ("0001-01-01T00:30:00+01:00", None),
        ("yesterday", None),
        ("", None),
        (1635441266, "2021-10-28T17:14:26"),
        (17, None),
        (1_635_441_266_000, "2021-10-28T17:14:26"),
        (None, None),
    ],
)
def test_normalize_timestamp(value, expected):
    assert normalize_timestamp(value) == expected


@given(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?Z\Z"))
@settings(max_examples=400, deadline=None)
def test_hub_spelling_takes_the_general_path_answer(stamp):
    """The Hub's "...T..Z" spelling has a fast path; written with a space and +00:00 it
    takes the general one: both must agree, impossible dates (month 13, hour 24) included."""
    general = stamp.replace("T", " ").replace("Z", "+00:00")
    assert normalize_timestamp(stamp) == normalize_timestamp(general)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        (0, 0),
        (3.0, 3),
        (" 7 ", 7),
        ("10.0", 10),
        (" 1e3 ", 1000),
        ("9223372036854775807.0", INT64_MAX),
        ("9223372036854775808", None),
        ("1.5", None),
        ("-1", None),
        ("-1.0", None),
        ("nan", None),
        ("inf", None),
        ("1e999999999", None),
        ("", None),
        (float("inf"), None),
        (-1, None),
        (2.5, None),
        (float("nan"), None),
        (True, None),
        ("many", None),
        (2**64, None),
        (None, None),
    ],
)
def test_normalize_count(value, expected):
    assert normalize_count(value) == expected


def test_normalize_count_accepts_numpy_integers():
    assert normalize_count(np.int64(5)) == 5
