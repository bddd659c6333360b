"""Fetch the Hugging Face Hub model listing (and, optionally, model cards) into resumable shards.

Writes the `hub-listing` source of DESIGN.md: `OUT/hub-listing/part-NNNNN.{jsonl,parquet}`, one
shard per listing page; with `--cards`, `OUT/cards/part-NNNNN.*` holds the README of the same
models in the same order. `OUT/_fetch_state.json` records the next page URL and the completed
shards; it is replaced atomically only after a page's shards are on disk, so rerunning the same
command after a failure or a kill continues from the last completed page and ends with exactly
the files an uninterrupted run writes.

A README that cannot be had for one model (401/403/404/451: gated, disabled, private,
deleted, legally withheld) is recorded in its card row's `error` (the Hub's `X-Error-Code`,
else `HTTP <status>`) and the fetch goes on. Only the listing failing, a server still
failing after the retries (408, 429, any 5xx), the network, or a token the Hub rejects stop
it; README fetches still running then give up at their next retry instead of finishing theirs.

Exit codes: 0 done (or already complete); 1 the fetch failed, one line on stderr saying
what and where (rerun the same command to resume); 2 bad arguments; 130 interrupted.

The listing asks `GET {endpoint}/api/models` with the same query as
`HfApi.list_models(sort="created_at", expand=...)` and follows the Hub's `Link: <...>; rel="next"`
cursor itself, because `list_models` hides the cursor (no resume) and its retry policy is not
configurable. The Hub's cursor is a position in the sort order, so the listing is sorted by
creation date, which never changes (see `first_page_url`). Requests go through huggingface_hub's
HTTP session, headers (token from `HF_TOKEN` or the saved login, never logged or written),
endpoint setting (`HF_ENDPOINT`), URL builder and error classification.
"""

from __future__ import annotations

import argparse
import email.utils
import importlib.metadata
import json
import logging
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx2
import pyarrow as pa
import pyarrow.parquet as pq
from huggingface_hub import constants
from huggingface_hub.errors import DisabledRepoError, HfHubHTTPError
from huggingface_hub.hf_api import ExpandModelProperty_T
from huggingface_hub.utils import (
    build_hf_headers,
    get_session,
    hf_raise_for_status,
    parse_ratelimit_headers,
    tqdm,
)
from tqdm.contrib.logging import logging_redirect_tqdm

LOG = logging.getLogger("fetch_hub")
try:
    VERSION = importlib.metadata.version("pedigree")
except importlib.metadata.PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0+unknown"
# Leading underscore: Spark readers and jobs/ingest skip it if pointed at OUT itself.
STATE_FILE = "_fetch_state.json"
LISTING_DIR = "hub-listing"
CARDS_DIR = "cards"
MAX_PAGE_SIZE = 1000  # the Hub's cap on `limit` for /api/models
# `sort` as `HfApi.list_models(sort="created_at")` sends it; the Hub sorts newest first.
LISTING_SORT = "createdAt"
# A JSON escape of a UTF-16 surrogate (`\ud83d`): only a page holding one may need `valid_text`.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# The Hub's answer to a token it does not accept: no README will come with it.
REJECTED_TOKEN = "invalid credentials"
# Output column -> Hub listing property, in output order (DESIGN.md, `hub-listing`).
LISTING_FIELDS = {
    "id": "id",
    "author": "author",
    "created_at": "createdAt",
    "last_modified": "lastModified",
    "downloads": "downloads",
    "likes": "likes",
    "library_name": "library_name",
    "pipeline_tag": "pipeline_tag",
    "tags": "tags",
    "card_data": "cardData",
}
# Typed against the library's Literal so a misspelt property fails mypy, not a 2M-model run.
EXPAND: list[ExpandModelProperty_T] = [
    "author",
    "createdAt",
    "lastModified",
    "downloads",
    "likes",
    "library_name",
    "pipeline_tag",
    "tags",
    "cardData",
]
LISTING_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("author", pa.string()),
        ("created_at", pa.string()),
        ("last_modified", pa.string()),
        ("downloads", pa.int64()),
        ("likes", pa.int64()),
        ("library_name", pa.string()),
        ("pipeline_tag", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("card_data", pa.string()),  # JSON text: card YAML has no fixed schema
        ("siblings", pa.list_(pa.string())),
    ]
)
CARDS_SCHEMA = pa.schema([("model_id", pa.string()), ("card", pa.string()), ("error", pa.string())])

Row = dict[str, Any]


class FetchError(Exception):
    """A failure reported to the user as one line: what failed, where, and what to do."""


class Stopped(FetchError):
    """A request abandoned because the run is already failing or interrupted."""


def retryable(status: int) -> bool:
    """Whether an answer is worth asking again: a timeout, throttling or any server error.
    Wider than huggingface_hub's http_backoff (408, 429, 500, 502-504): the Hub's CDN answers
    520-524 while its origin is down, and those pass too.

    >>> [s for s in (200, 404, 408, 429, 500, 501, 520) if retryable(s)]
    [408, 429, 500, 501, 520]
    """
    return status in (408, 429) or status >= 500


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of a URL, compared as the web compares origins: without regard to
    case and with the scheme's default port filled in.

    >>> origin("https://HuggingFace.co:443") == origin("https://huggingface.co/api/models?c=x")
    True
    >>> origin("http://127.0.0.1:8080") == origin("http://localhost:8080/api/models")
    False
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # not a port: no origin to match
        port = -1
    return scheme, parts.hostname or "", port or {"http": 80, "https": 443}.get(scheme)


@dataclass(frozen=True)
class Options:
    """The settings that shape the output; a resumed run must use the same ones."""

    endpoint: str
    page_size: int
    limit: int | None
    files: bool
    cards: bool
    shard_format: str


@dataclass
class State:
    """Progress saved after every completed page; `next_url` None means the fetch is complete."""

    options: Options
    next_url: str | None
    models: int = 0
    shards: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        data = {
            "options": asdict(self.options),
            "next_url": self.next_url,
            "models": self.models,
            "shards": self.shards,
            "complete": self.next_url is None,
        }
        return json.dumps(data, indent=2) + "\n"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for 429/5xx and network errors, deferring to the server."""

    max_retries: int
    base: float
    cap: float

    def delay(self, attempt: int, headers: Mapping[str, str] | None) -> float:
        """Seconds to wait before retry `attempt` (0-based): the server's hint, else backoff."""
        hinted = _server_wait(headers) if headers is not None else None
        if hinted is not None:
            return min(hinted, self.cap)
        ceiling = min(self.cap, self.base * 2**attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def _server_wait(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` (seconds or HTTP date), else the Hub's `RateLimit` reset when exhausted."""
    retry_after = headers.get("Retry-After", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    if retry_after:
        try:
            when = email.utils.parsedate_to_datetime(retry_after)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - time.time())
    ratelimit = parse_ratelimit_headers(headers)
    if ratelimit is not None and ratelimit.remaining == 0:
        return float(ratelimit.reset_in_seconds)
    return None


class HubClient:
    """GETs through huggingface_hub's shared session with our retry policy and the Hub's headers."""

    def __init__(self, endpoint: str, retry: RetryPolicy, timeout: float) -> None:
        self.endpoint = endpoint
        self.retry = retry
        self.timeout = timeout
        # Token comes from the library's default lookup (HF_TOKEN, then the saved login).
        self._headers = build_hf_headers(library_name="pedigree", library_version=VERSION)
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Make requests still retrying give up: the run is failing or interrupted, and a
        README fetch must not keep it waiting through its retries (minutes with the defaults).
        A request already on the wire still ends by its timeout."""
        self._stopping.set()

    def get(self, url: str) -> httpx2.Response:
        """Return the first non-retryable response, or the last one once retries are spent."""
        attempt = 0
        while True:
            if self._stopping.is_set():
                raise Stopped(f"GET {url} abandoned: the fetch is stopping")
            spent = attempt >= self.retry.max_retries
            try:
                response = get_session().get(url, headers=self._headers, timeout=self.timeout)
            except httpx2.HTTPError as err:
                if spent:
                    raise FetchError(
                        f"GET {url} failed: {str(err) or type(err).__name__} "
                        f"(after {self.retry.max_retries} retries); check the network and "
                        "--endpoint, then rerun the same command to resume"
                    ) from None
                reason, headers = type(err).__name__, None
            else:
                if not retryable(response.status_code) or spent:
                    return response
                reason, headers = f"HTTP {response.status_code}", response.headers
            self.wait_to_retry(reason, url, attempt, headers)
            attempt += 1

    def wait_to_retry(
        self, reason: str, url: str, attempt: int, headers: Mapping[str, str] | None
    ) -> None:
        """Log retry `attempt` (0-based) of `url` and wait for it, unless the run stops first."""
        if self._stopping.is_set():
            raise Stopped(f"GET {url} abandoned: the fetch is stopping")
        wait = self.retry.delay(attempt, headers)
        LOG.warning(
            "%s for GET %s; retry %d/%d in %.2fs",
            reason,
            url,
            attempt + 1,
            self.retry.max_retries,
            wait,
        )
        if self._stopping.wait(wait):
            raise Stopped(f"GET {url} abandoned: the fetch is stopping")

    def fetch_card(self, model_id: str) -> Row:
        """README text of `model_id`, or a null card with the reason the Hub gave for it."""
        response = self.get(readme_url(self.endpoint, model_id))
        if response.is_success:
            text = response.content.decode("utf-8", errors="replace")
            return {"model_id": model_id, "card": text, "error": None}
        message = response.headers.get("X-Error-Message") or ""
        if (
            retryable(response.status_code)
            or response.status_code < 400
            or REJECTED_TOKEN in message.lower()
        ):
            raise FetchError(
                describe_failure(response, f"README of {model_id}", self.retry.max_retries)
            )
        return {"model_id": model_id, "card": None, "error": card_failure(response)}


def readme_url(endpoint: str, model_id: str) -> str:
    """`{endpoint}/{id}/resolve/main/README.md` for any id the listing returns.

    Not `hf_hub_url`: its repo-id check (ASCII, at most 96 characters, no `.git` ending)
    refuses ids that exist on the Hub; the id is percent-encoded instead.

    >>> readme_url("https://hf.co", "gpt2")
    'https://hf.co/gpt2/resolve/main/README.md'
    >>> readme_url("https://hf.co", "org/modèle.git")
    'https://hf.co/org/mod%C3%A8le.git/resolve/main/README.md'
    """
    return f"{endpoint}/{quote(model_id, safe='/')}/resolve/main/{constants.REPOCARD_NAME}"


def card_failure(response: httpx2.Response) -> str:
    """Why a README is missing, in the Hub's words: `X-Error-Code`, else what
    huggingface_hub makes of the answer (a disabled repo has only a message), else the
    status."""
    code = response.headers.get("X-Error-Code")
    if code:
        return code
    try:
        hf_raise_for_status(response)
    except DisabledRepoError:
        return "DisabledRepo"
    except HfHubHTTPError:
        pass
    return f"HTTP {response.status_code}"


def describe_failure(response: httpx2.Response, what: str, retries: int) -> str:
    """One line saying what failed, where, and what the user can do about it."""
    status = response.status_code
    message = response.headers.get("X-Error-Message") or response.reason_phrase
    if retryable(status):
        hint = (
            f"gave up after {retries} retries; rerun the same command later to "
            "resume (or raise --max-retries)"
        )
    elif status in (401, 403):
        hint = "check the token in HF_TOKEN (or unset it for public data), then rerun to resume"
    elif status == 404:
        hint = "check --endpoint / HF_ENDPOINT"
    else:
        hint = "rerun the same command to resume; report it if it persists"
    return f"{what}: HTTP {status} {message} from {response.url}; {hint}"


def first_page_url(options: Options) -> str:
    """The URL `HfApi.list_models(sort="created_at", limit=..., expand=...)` requests first.

    The Hub's next-page cursor is a position in the sort order, and its default order, the
    trending score, changes by the hour: over a long fetch or across a resume, models would
    cross the cursor and be skipped or listed twice. A creation date never changes; models
    created during the fetch sort before the cursor (newest first) and stay out of this
    snapshot. The Hub's next-page links keep the `sort`, so every page follows that order,
    resumed or not (a fetch saved by a fetch_hub that sent no `sort` resumes in its own order).
    """
    limit = min(options.page_size, options.limit or options.page_size)
    expand = [*EXPAND, "siblings"] if options.files else EXPAND
    query = urlencode(
        [("sort", LISTING_SORT), ("limit", limit), *(("expand", prop) for prop in expand)]
    )
    return f"{options.endpoint}/api/models?{query}"


def valid_text(value: Any) -> Any:
    """`value` with every unpaired UTF-16 surrogate in its strings replaced by U+FFFD.

    The Hub's JSON may escape one (`"\\ud83d"` is valid JSON, cut from an emoji); UTF-8,
    hence JSONL and Parquet, cannot hold it, and the page would fail again on every resume.
    Paired escapes decode to one character and stay.

    >>> valid_text({"text": ["hi \\ud83d", "😀"]}) == {"text": ["hi \\ufffd", "😀"]}
    True
    """
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, list):
        return [valid_text(item) for item in value]
    if isinstance(value, dict):
        return {valid_text(key): valid_text(item) for key, item in value.items()}
    return value


def listing_row(item: Row, files: bool) -> Row:
    """One output row from one listing record, keeping the Hub's raw values.

    `card_data` stays the Hub's JSON: the library's `ModelCardData` drops unparseable
    `model-index` blocks and null keys, which the audit stage needs to see.
    """
    row = {column: item.get(prop) for column, prop in LISTING_FIELDS.items()}
    siblings = item.get("siblings") if files else None
    row["siblings"] = None if siblings is None else [s["rfilename"] for s in siblings]
    return row


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file, fsync, rename and fsync the folder, so a crash leaves no torn file."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def write_shard(path: Path, rows: list[Row], schema: pa.Schema, shard_format: str) -> None:
    """Write rows as JSONL (one object a line) or Parquet (nested card_data as JSON text)."""
    if shard_format == "jsonl":
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        _write_atomic(path, text.encode("utf-8"))
        return
    flat = [
        {**row, "card_data": json.dumps(row["card_data"], ensure_ascii=False)}
        if row.get("card_data") is not None
        else row
        for row in rows
    ]
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(flat, schema=schema), sink)
    _write_atomic(path, sink.getvalue().to_pybytes())


def load_state(out: Path, options: Options) -> State:
    """The saved state of `out`, or a fresh one; refuse to mix runs with different options."""
    path = out / STATE_FILE
    if not path.exists():
        if any((out / LISTING_DIR).glob("part-*")):
            raise FetchError(
                f"{out / LISTING_DIR} holds shards but no {STATE_FILE}; "
                "use an empty --output (or delete it) to fetch again"
            )
        return State(options=options, next_url=first_page_url(options))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        saved = Options(**data["options"])
        state = State(saved, data["next_url"], data["models"], list(data["shards"]))
    except (ValueError, KeyError, TypeError) as err:
        raise FetchError(
            f"{path} is unreadable ({err}); delete {out} to start the fetch over"
        ) from None
    if saved != options:
        theirs = ", ".join(f"{k}={v}" for k, v in asdict(saved).items())
        raise FetchError(
            f"{out} holds a fetch started with other options ({theirs}); "
            "rerun with those options to resume, or use a new --output"
        )
    return state


def discard_unfinished(out: Path, shards_done: int) -> None:
    """Remove temp files and shards of a page that was not recorded as complete."""
    for folder in (out / LISTING_DIR, out / CARDS_DIR):
        for path in folder.glob("part-*"):
            if path.name.endswith(".tmp") or int(path.name[5:10]) >= shards_done:
                path.unlink()


def fetch(out: Path, options: Options, client: HubClient, workers: int, quiet: bool) -> State:
    """Page through the listing, writing one shard (and its card shard) per page."""
    state = load_state(out, options)
    if state.next_url is None:
        LOG.info("%s is already complete (%d models); nothing to do", out, state.models)
        return state
    if state.shards:
        LOG.info("resuming %s after %d shards (%d models)", out, len(state.shards), state.models)
    for folder in (LISTING_DIR, CARDS_DIR) if options.cards else (LISTING_DIR,):
        (out / folder).mkdir(parents=True, exist_ok=True)
    discard_unfinished(out, len(state.shards))

    # Not a `with` block: on failure, README fetches still queued must be cancelled, not awaited.
    pool = ThreadPoolExecutor(max_workers=workers)
    bar = tqdm(
        total=options.limit, initial=state.models, unit=" models", desc="hub-listing", disable=quiet
    )
    try:
        # Log lines printed above a live bar instead of through it.
        with nullcontext() if bar.disable else logging_redirect_tqdm(tqdm_class=tqdm):
            while state.next_url is not None:
                page, next_url = _fetch_page(client, state.next_url)
                if options.limit is not None:
                    page = page[: options.limit - state.models]
                    if state.models + len(page) >= options.limit:
                        next_url = None
                if page:
                    _store_page(out, options, state, page, client, pool)
                state.next_url = next_url
                _write_atomic(out / STATE_FILE, state.to_json().encode("utf-8"))
                bar.update(len(page))
    finally:
        client.stop()
        bar.close()
        pool.shutdown(cancel_futures=True)
    LOG.info("done: %d models in %d shards under %s", state.models, len(state.shards), out)
    return state


def _fetch_page(client: HubClient, url: str) -> tuple[list[Row], str | None]:
    """One listing page, its text writable as UTF-8, and the Hub's next-page URL (None on the
    last page). A page that comes with a 200 but no JSON list (a proxy's or cache's error page)
    is asked again."""
    attempt = 0
    while True:
        response = client.get(url)
        if not response.is_success:
            raise FetchError(describe_failure(response, "model listing", client.retry.max_retries))
        try:
            page = response.json()
        except ValueError:
            page = None
        if isinstance(page, list):
            break
        if attempt >= client.retry.max_retries:
            raise FetchError(
                f"model listing: {url} did not answer a JSON list (after "
                f"{client.retry.max_retries} retries); check --endpoint / HF_ENDPOINT"
            )
        client.wait_to_retry("not a JSON list", url, attempt, None)
        attempt += 1
    if SURROGATE_ESCAPE.search(response.content):  # rare, and cheaper to find than to walk
        page = valid_text(page)
    next_url = response.links.get("next", {}).get("url")
    # The token goes with every page request: never follow a link off the endpoint's origin.
    if next_url is not None and origin(next_url) != origin(client.endpoint):
        raise FetchError(
            f"model listing: the next-page link {next_url} leaves {client.endpoint}; "
            "point --endpoint at the server that serves the whole listing"
        )
    return page, next_url


def _store_page(
    out: Path,
    options: Options,
    state: State,
    page: list[Row],
    client: HubClient,
    pool: ThreadPoolExecutor,
) -> None:
    """Write the page's listing shard, then its card shard, and count them in `state`."""
    name = f"part-{len(state.shards):05d}.{options.shard_format}"
    rows = [listing_row(item, options.files) for item in page]
    write_shard(out / LISTING_DIR / name, rows, LISTING_SCHEMA, options.shard_format)
    summary = f"{LISTING_DIR}/{name}: {len(rows)} models"
    if options.cards:
        cards = list(pool.map(client.fetch_card, [row["id"] for row in rows]))
        write_shard(out / CARDS_DIR / name, cards, CARDS_SCHEMA, options.shard_format)
        reasons = Counter(card["error"] for card in cards if card["card"] is None)
        missing = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
        summary += f", {len(cards) - reasons.total()} cards ({missing or 'none missing'})"
    state.shards.append(name)
    state.models += len(rows)
    LOG.info("%s; %d models so far", summary, state.models)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _at_least_zero(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, got {text}")
    return value


def _timeout(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _page_size(text: str) -> int:
    value = _positive(text)
    if value > MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"the Hub serves at most {MAX_PAGE_SIZE} per page")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="pedigree fetch",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="example:\n  pedigree fetch --output data/hub --endpoint https://huggingface.co "
        "--limit 1000 --cards --files\n\n"
        "The token comes from HF_TOKEN (or `hf auth login`); it is never written out.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--output", required=True, type=Path, help="output folder (OUT)")
    parser.add_argument("--limit", type=_positive, help="stop after this many models")
    parser.add_argument("--page-size", type=_page_size, default=1000, help="models per page")
    parser.add_argument("--cards", action="store_true", help="also fetch each README.md")
    parser.add_argument("--files", action="store_true", help="include the file list (siblings)")
    parser.add_argument("--workers", type=_positive, default=8, help="parallel README fetches")
    parser.add_argument("--shard-format", choices=("jsonl", "parquet"), default="jsonl")
    parser.add_argument("--endpoint", help="Hub URL (default: HF_ENDPOINT or huggingface.co)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--max-retries", type=_at_least_zero, default=8, help="retries per request")
    parser.add_argument("--retry-base", type=_seconds, default=1.0, help="first backoff, seconds")
    parser.add_argument("--retry-max", type=_seconds, default=60.0, help="longest backoff, seconds")
    parser.add_argument("--timeout", type=_timeout, default=60.0, help="per-request timeout, s")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the fetch; failures print one line to stderr and return non-zero."""
    args = parse_args(argv)
    # Root stays at WARNING so the HTTP client's per-request INFO lines stay out of the log.
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    LOG.setLevel(logging.INFO)
    endpoint = (args.endpoint or constants.ENDPOINT).rstrip("/")
    options = Options(
        endpoint=endpoint,
        page_size=args.page_size,
        limit=args.limit,
        files=args.files,
        cards=args.cards,
        shard_format=args.shard_format,
    )
    retry = RetryPolicy(args.max_retries, args.retry_base, args.retry_max)
    try:
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise FetchError(f"--endpoint {endpoint!r} is not an http(s) URL")
        args.output.mkdir(parents=True, exist_ok=True)
        client = HubClient(endpoint, retry, args.timeout)
        fetch(args.output, options, client, args.workers, args.quiet)
    except FetchError as err:
        print(f"fetch_hub: error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(
            f"fetch_hub: error: {err}; fix it, then rerun the same command to resume",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("fetch_hub: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    except Exception as err:  # a bug must still end in one line, never a traceback
        print(
            f"fetch_hub: error: unexpected {type(err).__name__}: {err}; rerun the same command "
            "to resume, and report it if it persists",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
