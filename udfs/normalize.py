"""Normalisers from declared metadata to comparable trait values, driven by tables in conf/.

Card metadata is typed by hand: `license: MIT`, `language: [en-US, French]`, `datasets: glue`.
The normalisers turn whatever is declared (string, list, number, date, nothing) into sorted
lists of canonical values so that parent and child traits can be compared as sets. They never
raise, and every string they return is valid UTF-8 (Arrow rejects lone surrogates).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"
DEFAULT_LICENSES_PATH = CONF_DIR / "licenses.yaml"
DEFAULT_LANGUAGES_PATH = CONF_DIR / "languages.yaml"

UNKNOWN_LICENSE = "unknown"
OTHER_CATEGORY = "other"
UNKNOWN_CATEGORY = "unknown"
LICENSE_CATEGORIES = ("commercial", "use-restricted", "copyleft", "permissive")
MULTILINGUAL = "multilingual"

LICENSE_TAG = "license:"
LANGUAGE_TAG = "language:"
DATASET_TAG = "dataset:"

_LICENSE_KEY_RE = re.compile(r"[\s_,]+")
_LICENSE_ID_RE = re.compile(r"(?=[^a-z]*[a-z])[a-z0-9][a-z0-9.+-]*")  # a slug with a letter
_LANGUAGE_LIST_RE = re.compile(r"[,;/|]")  # between the items of one language value
_LANGUAGE_TAG_RE = re.compile(r"[a-z]{2}(?:[-_][a-z0-9]{2,4})?")
# ISO 639-1 codes that are also short English words, read as words in a phrase.
_CODES_THAT_ARE_WORDS = frozenset(["or", "to", "in", "is", "as", "it", "an", "be", "so", "my"])
_SLUG_RE = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
HUB_URL_RE = re.compile(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/", re.IGNORECASE)
_QUERY_OR_FRAGMENT_RE = re.compile(r"[?#].*", re.DOTALL)
# First path segments of huggingface.co pages that are the site's own sections, not a user's
# or organisation's namespace (the Hub reserves these names).
HUB_SECTIONS = frozenset(
    [
        "datasets",
        "spaces",
        "models",
        "docs",
        "blog",
        "papers",
        "posts",
        "collections",
        "organizations",
        "settings",
        "join",
        "login",
        "pricing",
        "enterprise",
        "support",
        "learn",
        "course",
        "tasks",
        "new",
        "chat",
        "terms",
        "privacy",
        "api",
        "terms-of-service",
        "code-of-conduct",
        "content-guidelines",
        "languages",
        "transformers",
        "autotrain",
        "inference-endpoints",
        "inference-api",
        "exbert",
        "search",
        "notifications",
        "welcome",
        "changelog",
    ]
)
DATASETS_SECTION = "datasets"
# Pages below a repository's own page (files, history, discussions, settings, viewers): a
# URL to one of them is about the repository.
REPO_SUB_PAGES = frozenset(
    [
        "tree",
        "blob",
        "resolve",
        "raw",
        "edit",
        "blame",
        "commit",
        "commits",
        "discussions",
        "community",
        "settings",
        "tensorboard",
        "viewer",
    ]
)
_TIMESTAMP_RE = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*",
    re.IGNORECASE,
)
_ISO_SECONDS_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
# The Hub's own spelling ("2021-10-28T17:14:26.000Z"): already UTC, only the date's
# validity to check; two per model through the general path were about 7 % of the parse.
_HUB_UTC_RE = re.compile(_ISO_SECONDS_RE.pattern + r"(?:\.\d{1,6})?Z")
MAX_VALUE_CHARS = 200  # a longer "license" or "dataset" is prose, not an identifier
INT64_MAX = 2**63 - 1


# --- scalars -------------------------------------------------------------------------------


def clean_text(value: Any) -> str | None:
    """A declared scalar as stripped text, or None; booleans and containers are not text.

    >>> clean_text("  glue "), clean_text(2.0), clean_text(date(2022, 1, 31)), clean_text([1])
    ('glue', '2.0', '2022-01-31', None)
    """
    if isinstance(value, str):  # the common case first: this runs for every tag of 2M models
        text = value.strip()
        if text.isascii():
            return text or None
    elif isinstance(value, (int, float, date)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        text = str(value).strip()
    else:
        return None
    return without_lone_surrogates(text) or None


def without_lone_surrogates(text: str) -> str:
    """The text with each lone surrogate (from JSON escapes or surrogateescape) replaced by
    U+FFFD; the text itself when it is valid, found without encoding when it is ASCII.
    Not "?": at the start of a plain YAML value that is a mapping-key indicator, and a
    card's whole front matter would fail to load.

    >>> without_lone_surrogates("caf\\u00e9"), without_lone_surrogates("bad \\udce9")
    ('café', 'bad �')
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


class CleanTexts(list[str]):
    """Texts `text_list` has already cleaned, as `normalize_tags` returns them: `text_list`
    gives them back as they are, so a model's tags are cleaned once, not once more for each
    trait read from them (licenses, languages, datasets, parents)."""


def text_list(value: Any) -> list[str]:
    """A declared scalar or list of scalars as a list of texts; anything else is empty.

    >>> text_list("glue"), text_list(["a", None, " b ", ["nested"]]), text_list({"a": 1})
    (['glue'], ['a', 'b'], [])
    """
    if type(value) is CleanTexts:
        return value
    items = value if isinstance(value, (list, tuple)) else [value]
    return [text for text in map(clean_text, items) if text is not None]


def tag_values(tags: Any, prefix: str) -> list[str]:
    """Values of the Hub tags that start with `prefix` (e.g. "license:").

    >>> tag_values(["license:mit", "pytorch"], "license:")
    ['mit']
    """
    return [tag[len(prefix) :].strip() for tag in text_list(tags) if tag.startswith(prefix)]


def normalize_tags(value: Any) -> CleanTexts:
    """Hub tags: texts, sorted, unique.

    >>> normalize_tags(["pytorch", "en", "pytorch", 3])
    ['3', 'en', 'pytorch']
    """
    return CleanTexts(sorted(set(text_list(value))))


def normalize_slug(value: Any) -> str | None:
    """A lowercase slug (pipeline_tag), or None; spaces become dashes.

    >>> normalize_slug(" Text Classification "), normalize_slug("???")
    ('text-classification', None)
    """
    text = clean_text(value)
    if text is None:
        return None
    slug = "-".join(text.lower().split())
    return slug if len(slug) <= MAX_VALUE_CHARS and _SLUG_RE.fullmatch(slug) else None


def normalize_library(value: Any) -> str | None:
    """A library name, lowercase and stripped, or None.

    >>> normalize_library(" Transformers "), normalize_library("")
    ('transformers', None)
    """
    text = clean_text(value)
    return text.lower()[:MAX_VALUE_CHARS] if text else None


# Epoch numbers: below EPOCH_SECONDS_FROM (2001-09-09) they are not a Hub date at all;
# above EPOCH_MILLIS_FROM (the year 5138 in seconds) they are milliseconds.
EPOCH_SECONDS_FROM = 10**9
EPOCH_MILLIS_FROM = 10**11


def normalize_timestamp(value: Any) -> str | None:
    """A date or time as 'YYYY-MM-DDTHH:MM:SS' in UTC; naive times are taken as UTC.

    >>> normalize_timestamp("2021-10-28T17:14:26.000Z")
    '2021-10-28T17:14:26'
    >>> normalize_timestamp("2021-10-28 19:14:26+02:00"), normalize_timestamp("yesterday")
    ('2021-10-28T17:14:26', None)
    >>> normalize_timestamp(1_700_000_000_000)  # epoch milliseconds, as CSV exports write
    '2023-11-14T22:13:20'
    """
    try:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if not value >= EPOCH_SECONDS_FROM:  # also rejects NaN
                return None
            seconds = value / 1000 if value > EPOCH_MILLIS_FROM else value
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
        elif isinstance(value, str):
            if _HUB_UTC_RE.fullmatch(value):
                datetime.fromisoformat(value[:19])  # raises on an impossible date
                return value[:19]
            parsed = _parse_timestamp(value)
            if parsed is None:
                return None
            moment = parsed
        else:
            return None
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        stamp = moment.isoformat(timespec="seconds")
    except (ValueError, OverflowError, OSError, TypeError):  # impossible dates, NaT, year 0
        return None
    return stamp if _ISO_SECONDS_RE.fullmatch(stamp) else None  # pandas NaT prints "NaT"


def _parse_timestamp(text: str) -> datetime | None:
    """ISO 8601 as the Hub and the dumps write it; written out for Python 3.10's fromisoformat."""
    match = _TIMESTAMP_RE.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    tz: timezone | None = None
    if offset is not None:
        if offset.upper() == "Z":
            tz = timezone.utc
        else:
            digits = offset[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            tz = timezone(-delta if offset[0] == "-" else delta)
    return datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), 0, tz
    )


def normalize_count(value: Any) -> int | None:
    """A download or like count: a non-negative int64, or None.

    An integral float counts, written as text too: pandas writes an int column with a
    missing value as floats, so a CSV of counts reads "10.0".

    >>> normalize_count(12), normalize_count(3.0), normalize_count("7"), normalize_count(-1)
    (12, 3, 7, None)
    >>> normalize_count("10.0"), normalize_count("1e3"), normalize_count("1.5")
    (10, 1000, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float | str):
        try:
            exact = Decimal(value)  # exact for floats; text may have spaces around it
        except (InvalidOperation, ValueError):
            return None
        integral = exact.is_finite() and exact == exact.to_integral_value()
        return int(exact) if integral and 0 <= exact <= INT64_MAX else None  # bound, then int
    try:
        number = int(value.__index__())  # int, numpy integers
    except (AttributeError, TypeError, ValueError):
        return None
    return number if 0 <= number <= INT64_MAX else None


# --- Hub references ------------------------------------------------------------------------


def hub_reference(text: str) -> tuple[str, str]:
    """(section, repository path) of a declared reference to a Hub repository.

    `section` is a Hub URL's first path segment when it is one of HUB_SECTIONS
    ("datasets", "spaces", ...; lowercased), else "": a URL to a user's repository or a text
    that is not a URL. The path loses any query, fragment, trailing slash and repository
    sub-page; a sub-page is cut after two segments (namespace/name), or after one for the
    Hub's older ids without namespace (`gpt2/tree/main`) when more follows it, so that
    `org/tree` stays a repository named "tree".

    >>> hub_reference("https://HuggingFace.co/datasets/org/set/tree/main?x=1")
    ('datasets', 'org/set')
    >>> hub_reference("hf.co/org/name/discussions/3"), hub_reference("gpt2/raw/main/config.json")
    (('', 'org/name'), ('', 'gpt2'))
    """
    path = HUB_URL_RE.sub("", text, count=1)
    segments = _QUERY_OR_FRAGMENT_RE.sub("", path).rstrip("/").split("/")
    section = ""
    if len(path) < len(text) and segments[0].lower() in HUB_SECTIONS:
        section = segments.pop(0).lower()
    if len(segments) > 2 and segments[2] in REPO_SUB_PAGES:
        segments = segments[:2]
    elif len(segments) > 2 and segments[1] in REPO_SUB_PAGES:
        segments = segments[:1]
    return section, "/".join(segments)


# --- licenses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenseTable:
    """conf/licenses.yaml, resolved: alias and unknown keys cleaned, license -> category."""

    aliases: Mapping[str, str]
    unknown: frozenset[str]
    category: Mapping[str, str]


def license_key(text: str) -> str:
    """The lookup key of a declared license: lowercase, spaces/underscores/commas as dashes.

    >>> license_key(" Apache License, Version 2.0 ")
    'apache-license-version-2.0'
    """
    return _LICENSE_KEY_RE.sub("-", text.lower()).strip("-")


def _string_list(raw: Any, what: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"{what} must be a list of strings")
    return raw


def _mapping(raw: Any, what: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in raw.items()
    ):
        raise ValueError(f"{what} must map strings to strings")
    return raw


def _load_yaml_file(path: Path, keys: set[str]) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    if not isinstance(data, dict) or set(data) != keys:
        raise ValueError(f"{path}: expected exactly the keys {sorted(keys)}")
    return data


def load_license_table(path: Path | str = DEFAULT_LICENSES_PATH) -> LicenseTable:
    """Read and check a license table; a malformed table raises ValueError at load time."""
    data = _load_yaml_file(Path(path), {"categories", "aliases", "unknown"})
    categories = data["categories"]
    if not isinstance(categories, dict) or set(categories) != set(LICENSE_CATEGORIES):
        raise ValueError(f"{path}: categories must be exactly {list(LICENSE_CATEGORIES)}")
    category: dict[str, str] = {}
    for name, members in categories.items():
        for member in _string_list(members, f"{path}: categories.{name}"):
            key = license_key(member)
            if key in category:
                raise ValueError(f"{path}: {member!r} is in two categories")
            category[key] = name
    aliases = {
        license_key(alias): license_key(target)
        for alias, target in _mapping(data["aliases"], f"{path}: aliases").items()
    }
    unknown = frozenset(
        license_key(value) for value in _string_list(data["unknown"], f"{path}: unknown")
    )
    return LicenseTable(aliases=aliases, unknown=unknown, category=category)


@cache
def default_license_table() -> LicenseTable:
    """The repository's conf/licenses.yaml, read once per process."""
    return load_license_table()


def normalize_license(value: str, table: LicenseTable | None = None) -> str:
    """One declared license as a Hub license id, or "unknown" when it says nothing.

    >>> [normalize_license(v) for v in ["MIT", "Apache 2.0", "apache2", "other", "???", "none"]]
    ['mit', 'apache-2.0', 'apache-2.0', 'other', 'unknown', 'unknown']
    """
    table = table or default_license_table()
    key = license_key(value)
    if key in table.unknown:
        return UNKNOWN_LICENSE
    key = table.aliases.get(key, key)
    ok = len(key) <= MAX_VALUE_CHARS and _LICENSE_ID_RE.fullmatch(key) is not None
    return key if ok else UNKNOWN_LICENSE


def normalize_licenses(value: Any, tags: Any, table: LicenseTable | None = None) -> list[str]:
    """Licenses from the YAML `license` value and `license:` tags; sorted, unique.

    "unknown" appears only when nothing better was declared: a junk entry beside a real
    license adds nothing. Declaring nothing gives [] (missing, not unknown). A declared
    value that is not text (`license: no` is the boolean False in YAML) means "unknown".

    >>> normalize_licenses(["MIT", "???"], ["license:apache-2"])
    ['apache-2.0', 'mit']
    >>> normalize_licenses("???", []), normalize_licenses(None, []), normalize_licenses(False, [])
    (['unknown'], [], ['unknown'])
    """
    table = table or default_license_table()
    items = value if isinstance(value, (list, tuple)) else [value]
    declared = [clean_text(item) or "" for item in items if item is not None]
    found = {normalize_license(item, table) for item in declared + tag_values(tags, LICENSE_TAG)}
    if len(found) > 1:
        found.discard(UNKNOWN_LICENSE)
    return sorted(found)


def license_category(license: str, table: LicenseTable | None = None) -> str:
    """The paper's category of a license: commercial, use-restricted, copyleft, permissive,
    other or unknown.

    >>> license_category("MIT"), license_category("llama3"), license_category("wtfpl")
    ('permissive', 'commercial', 'other')
    >>> license_category("???")
    'unknown'
    """
    table = table or default_license_table()
    canonical = normalize_license(license, table)
    if canonical == UNKNOWN_LICENSE:
        return UNKNOWN_CATEGORY
    return table.category.get(canonical, OTHER_CATEGORY)


# --- languages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageTable:
    """conf/languages.yaml: ISO 639-1 codes and the other names that map to them."""

    codes: frozenset[str]
    aliases: Mapping[str, str]


def load_language_table(path: Path | str = DEFAULT_LANGUAGES_PATH) -> LanguageTable:
    """Read and check a language table; a malformed table raises ValueError at load time."""
    data = _load_yaml_file(Path(path), {"codes", "aliases"})
    codes = frozenset(code.lower() for code in _string_list(data["codes"], f"{path}: codes"))
    aliases = {
        k.lower(): v.lower() for k, v in _mapping(data["aliases"], f"{path}: aliases").items()
    }
    strays = sorted(set(aliases.values()) - codes)
    if strays:
        raise ValueError(f"{path}: aliases point at unknown codes {strays}")
    return LanguageTable(codes=codes, aliases=aliases)


@cache
def default_language_table() -> LanguageTable:
    """The repository's conf/languages.yaml, read once per process."""
    return load_language_table()


def _language(token: str, table: LanguageTable) -> str | None:
    token = token.lower()
    if token == MULTILINGUAL:
        return token
    if token in table.aliases:
        return table.aliases[token]
    base = token.replace("_", "-").split("-", 1)[0]
    if base in table.codes:
        return base
    return table.aliases.get(base)


def normalize_languages(
    value: Any, tags: Any, card_tags: Any = None, table: LanguageTable | None = None
) -> list[str]:
    """ISO 639-1 codes from the YAML `language` value and from tags; sorted, unique.

    YAML values may be codes, codes with a region (en-US), ISO 639-2/3 codes or English
    names from the table, several in one string ("French, Spanish", "en|fr"); in an item
    of several words, English words that are also codes ("English or French", the
    template's "ISO 639-1 code for your language, or `multilingual`") are words, while a
    list of codes ("it, en") stays codes. `language: no` reaches us as the boolean False
    (YAML 1.1) and means Norwegian. Tags count as `language:xx` or as a bare code (the
    Hub's older form), except a bare tag the card's own YAML `tags` (`card_tags`) put there
    when the card declares a language: `sg` is Singapore there, `eu` the European Union.
    Junk is dropped.

    >>> normalize_languages(["en-US", "French Spanish", "eng", "??"], ["language:de", "fr", "tf"])
    ['de', 'en', 'es', 'fr']
    >>> normalize_languages("multilingual", []), normalize_languages(False, [])
    (['multilingual'], ['no'])
    >>> normalize_languages("English or French", ["sg", "en"], card_tags=["sg"])
    ['en', 'fr']
    >>> normalize_languages(None, ["cs"], card_tags=["cs"]), normalize_languages("it, en", [])
    (['cs'], ['en', 'it'])
    """
    table = table or default_language_table()
    found: set[str] = set()
    if value is False or (isinstance(value, list) and any(item is False for item in value)):
        found.add("no")
    declared_value = False
    for text in text_list(value):
        for piece in _LANGUAGE_LIST_RE.split(text):
            tokens = piece.split()
            words = _CODES_THAT_ARE_WORDS if len(tokens) > 1 else frozenset()
            for token in tokens:
                code = _language(token, table) if token.lower() not in words else None
                if code is not None:
                    found.add(code)
                    declared_value = True
    # With a declared language, the card's own bare tags are tags (`sg`: Singapore);
    # without one, a bare code among them is the only language the card gives.
    own_tags = set(text_list(card_tags)) if declared_value else set()
    for tag in text_list(tags):
        if tag.startswith(LANGUAGE_TAG):
            declared = tag[len(LANGUAGE_TAG) :]
        elif tag in own_tags:
            continue
        else:
            declared = tag
        lowered = declared.lower()
        if lowered == MULTILINGUAL:
            found.add(lowered)
        elif _LANGUAGE_TAG_RE.fullmatch(lowered) and lowered[:2] in table.codes:
            found.add(lowered[:2])
    return sorted(found)


# --- datasets ------------------------------------------------------------------------------


def normalize_datasets(value: Any, tags: Any) -> list[str]:
    """Dataset ids from the YAML `datasets` value and `dataset:` tags; sorted, unique.

    Hub dataset URLs become ids, whichever page of the dataset they show; case is kept (ids
    are the Hub's spelling). Other values are kept as declared.

    >>> normalize_datasets(["glue", "https://huggingface.co/datasets/org/set/"], ["dataset:glue"])
    ['glue', 'org/set']
    >>> normalize_datasets("HF.co/datasets/org/set/blob/main/train.csv?download=1", [])
    ['org/set']
    """
    found = set()
    for text in [*text_list(value), *tag_values(tags, DATASET_TAG)]:
        section, path = hub_reference(text)
        dataset = path if section == DATASETS_SECTION else text.rstrip("/")
        if dataset and len(dataset) <= MAX_VALUE_CHARS:
            found.add(dataset)
    return sorted(found)
