"""A local stand-in for the Hugging Face Hub, speaking its API the way huggingface_hub calls it.

It serves `GET /api/models` (the `sort`, `direction`, `limit`, `cursor` and repeated `expand`
query parameters; trending order when no `sort` is given; a cursor that, like the Hub's, names the
last model's sort value and `_id`, not an offset, passed on in a `Link: <...>; rel="next"` header)
and `GET /{repo_id}/resolve/{revision}/README.md` as the Hub answers it: a missing file 404
`EntryNotFound`; a missing or private repo 401 `RepoNotFound` to a caller without a token and 404
to one with a token (the Hub does not tell the two apart); a gated repo 401 `GatedRepo` without
a token and 403 `GatedRepo` with one; 403 "Access to this resource is disabled."; 451; a 307
to the new name for a renamed repo. Repo ids take every shape the
Hub has: percent-encoded unicode, dots, a `.git` ending, over 96 characters, no namespace.
Tests inject 429/5xx answers and hanging requests, change models between listing pages, and read
back every request seen.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

MAX_PAGE_SIZE = 1000
RENAMED_PREFIX = "renamed--"  # where a renamed repo now lives (the Hub redirects to it)
# The `expand` values the fake Hub knows; anything else is a 400, as on the Hub.
EXPANDABLE = (
    "author",
    "cardData",
    "createdAt",
    "downloads",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "siblings",
    "tags",
)
# The `sort` keys the fake Hub knows (anything else is a 400, as on the Hub) and its default.
SORTABLE = ("createdAt", "downloads", "lastModified", "likes", "trendingScore")
DEFAULT_SORT = "trendingScore"
README_RE = re.compile(r"^/(?P<repo_id>.+)/resolve/(?P<revision>[^/]+)/README\.md$")
# README answers for repos the caller may not read, as the Hub gives them: (without a token,
# with one). A private repo answers as a missing one.
NOT_FOUND = {
    False: (
        401,
        {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Invalid username or password."},
    ),
    True: (404, {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}),
}
GATED = {
    False: (
        401,
        {
            "X-Error-Code": "GatedRepo",
            "X-Error-Message": "Access to this model is restricted. You must have access to it "
            "and be authenticated to access it. Please log in.",
        },
    ),
    True: (
        403,
        {
            "X-Error-Code": "GatedRepo",
            "X-Error-Message": "Access to this model is restricted and you are not in the "
            "authorized list. Visit the model page to ask for access.",
        },
    ),
}
DISABLED = (403, {"X-Error-Message": "Access to this resource is disabled."})
UNAVAILABLE = (451, {"X-Error-Message": "Unavailable for legal reasons"})
ACCESS_ANSWERS: dict[str, dict[bool, tuple[int, dict[str, str]]]] = {
    "gated": GATED,
    "private": NOT_FOUND,
    "disabled": {False: DISABLED, True: DISABLED},
    "unavailable": {False: UNAVAILABLE, True: UNAVAILABLE},
}


def created_at(index: int, per_instant: int = 1) -> str:
    """A `createdAt` that falls with `index`, shared by `per_instant` neighbours: fixtures are
    in the order the Hub lists them by creation date (newest first, ties by `_id`)."""
    when = datetime(2024, 6, 1, tzinfo=timezone.utc) - timedelta(hours=7 * (index // per_instant))
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def make_models(n: int = 250) -> tuple[list[dict], dict[str, str]]:
    """Generate `n` Hub listing records (all properties) and the README text of most of them.
    Every third shares its creation instant with its neighbours, so ties straddle pages; the
    trending order is another one, with a few models that have no score."""
    models: list[dict] = []
    readmes: dict[str, str] = {}
    for i in range(n):
        model_id = f"org-{i % 7}/model-{i:03d}"
        tags = ["transformers", "safetensors", f"license:{('mit', 'apache-2.0')[i % 2]}"]
        if i >= 7:
            tags.append(f"base_model:finetune:org-{(i - 7) % 7}/model-{i - 7:03d}")
        record: dict = {
            "_id": f"{i:024x}",
            "id": model_id,
            "author": f"org-{i % 7}",
            "createdAt": created_at(i, per_instant=3),
            "lastModified": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T08:00:{i % 60:02d}.000Z",
            "downloads": i * 13,
            "likes": i % 17,
            "trendingScore": None if i % 23 == 0 else (i * 37) % 101,
            "pipeline_tag": None if i % 11 == 0 else "text-generation",
            "tags": tags,
            "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "model.safetensors"}],
        }
        if i % 5:
            record["library_name"] = "transformers"
        if i % 3:
            record["cardData"] = {
                "license": ("mit", "apache-2.0")[i % 2],
                "language": ["en", "fr"] if i % 4 else "en",
                "base_model": f"org-0/model-{i % 7:03d}",
                "tags": ["dup", "dup"],
            }
            if i % 8 == 1:  # unparseable for ModelCardData, which would drop it
                record["cardData"]["model-index"] = [{"name": "broken"}]
        models.append(record)
        if i % 10 != 3:
            readmes[model_id] = f"---\nlicense: mit\n---\n# Model {i} — café ✓\n\n" + "text " * i
    return models, readmes


# Ids as the Hub has them (each shape exists there), their README, and how it is served.
REAL_SHAPED = (
    (
        "espnet/" + "kan-bayashi_jsut_tts_train_conformer_fastspeech2_transformer_teacher_"
        "raw_phn_jaconv_pyopenjtalk_accent_with_pause_train.loss.ave",
        "readme",
    ),
    ("gpt2", "readme"),
    ("distilbert-base-uncased-finetuned-sst-2-english", "readme"),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "readme"),
    ("stabilityai/stable-diffusion-xl-base-1.0", "readme"),
    ("someone/wav2vec2.git", "readme"),
    ("ku-nlp/deberta-v2-base-japanese-ü-日本語", "readme"),
    ("bigscience/bloom-7b1.v2", "renamed"),
    ("meta-llama/Llama-3.1-8B", "gated"),
    ("someone/taken-down", "disabled"),
    ("private-org/private-model", "private"),
    ("someone/withheld-model", "unavailable"),
    ("someone/no-readme", "no-readme"),
    ("someone/tiny-readme", "tiny"),
)


def real_shaped_models() -> tuple[list[dict], dict[str, str], dict[str, str]]:
    """Listing records with real-shaped ids, their READMEs, and each repo's README state
    (`readme`, `renamed`, a key of ACCESS_ANSWERS, `no-readme`, `tiny`)."""
    models, readmes, states = [], {}, {}
    weights: tuple[list[str], ...] = (
        ["model.safetensors"],
        ["pytorch_model.bin"],
        ["model.Q4_K_M.gguf"],
        [],
    )
    for i, (model_id, state) in enumerate(REAL_SHAPED):
        namespace = model_id.split("/")[0] if "/" in model_id else None
        record: dict = {
            "_id": f"{1000 + i:024x}",
            "id": model_id,
            "author": namespace,
            "createdAt": created_at(i),
            "lastModified": f"2024-0{1 + i % 9}-2{i % 10}T10:00:00.000Z",
            "downloads": 1000 * (i + 1),
            "likes": i,
            "trendingScore": (i * 5) % len(REAL_SHAPED) + 0.5,
            "pipeline_tag": "text-generation",
            "tags": ["transformers", f"license:{('mit', 'apache-2.0', 'llama2')[i % 3]}"],
            "siblings": [
                {"rfilename": f} for f in [".gitattributes", "README.md", *weights[i % 4]]
            ],
        }
        if i > 0:
            record["tags"].append(f"base_model:finetune:{REAL_SHAPED[0][0]}")
        models.append(record)
        states[model_id] = state
        if state in ("readme", "renamed"):
            readmes[model_id] = f"---\nlicense: mit\n---\n# {model_id}\n\nA real-shaped card. "
        elif state == "tiny":
            readmes[model_id] = "# x"
    return models, readmes, states


def listing_order(models: list[dict], sort: str, ascending: bool = False) -> list[dict]:
    """`models` in the Hub's order for `sort`: by its value, models without one last, ties by
    `_id`."""
    by_id = sorted(models, key=lambda m: m["_id"])
    valued = [m for m in by_id if m.get(sort) is not None]
    # Stable, also reversed: ties stay in `_id` order.
    valued.sort(key=lambda m: m[sort], reverse=not ascending)
    return valued + [m for m in by_id if m.get(sort) is None]


def encode_cursor(last: dict, sort: str, ascending: bool = False) -> str:
    """The Hub's cursor after `last`: a filter for the models past it in the sort order (its
    value with a greater `_id`, a value further on, or no value), base64 of the JSON."""
    value = last.get(sort)
    further = [{sort: {"$gt" if ascending else "$lt": value}}, {sort: None}]
    branches = [{sort: value, "_id": {"$gt": last["_id"]}}, *(further if value is not None else [])]
    return base64.b64encode(json.dumps({"$or": branches}).encode()).decode()


def cursor_to(models: list[dict], start: int, sort: str = "createdAt") -> str:
    """The cursor of the page that starts at `start` (> 0) in the (descending) `sort` order."""
    return encode_cursor(listing_order(models, sort)[start - 1], sort)


def past_cursor(model: dict, cursor: str) -> bool:
    """Whether `model` passes the cursor's filter, read the way the Hub's database reads it."""
    return any(
        all(_holds(model.get(name), wanted) for name, wanted in branch.items())
        for branch in json.loads(base64.b64decode(cursor))["$or"]
    )


def _holds(value: Any, wanted: Any) -> bool:
    if not isinstance(wanted, dict):
        return value == wanted
    ((operator, bound),) = wanted.items()
    if value is None:
        return False
    return value > bound if operator == "$gt" else value < bound


@dataclass
class Fault:
    """Answer `status` (or hang until `release` is set) to requests whose target has `match`."""

    match: str
    status: int | None
    times: int | None  # None: forever
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"error": "injected"}'
    content_type: str = "application/json"
    after: threading.Event | None = None  # answer only once this is set
    release: threading.Event = field(default_factory=threading.Event)
    hit: threading.Event = field(default_factory=threading.Event)  # set once it has answered


@dataclass
class Seen:
    """One GET request as the server received it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lowercased


class FakeHub:
    """The data and the fault plan shared by the handler threads."""

    def __init__(
        self, models: list[dict], readmes: dict[str, str], states: dict[str, str] | None = None
    ) -> None:
        self.models = models
        self.readmes = readmes
        self.states = states or {}
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.base_url = ""
        self.listing_pages = 0
        self.changes: dict[int, Callable[[], object]] = {}

    def change_after_page(self, page: int, change: Callable[[], object]) -> None:
        """Run `change` (say, trending scores moving) once the `page`-th listing page this
        server answers (1-based) is cut, before it is sent, so it happens before the client can
        ask for the next one."""
        with self.lock:
            self.changes[page] = change

    def fail(
        self,
        match: str,
        status: int,
        times: int | None = 1,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        after: threading.Event | None = None,
    ) -> Fault:
        """Answer `status` to the next `times` requests whose path+query contains `match`
        (with `body` as HTML when given: a proxy's or cache's error page), once `after` is
        set when given."""
        fault = Fault(match, status, times, headers or {}, after=after)
        if body is not None:
            fault.body, fault.content_type = body, "text/html"
        with self.lock:
            self.faults.append(fault)
        return fault

    def hang(self, match: str) -> Fault:
        """Hold requests containing `match` until the returned fault's `release` is set."""
        fault = Fault(match, None, None)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            for fault in self.faults:
                fault.release.set()
            self.faults.clear()

    def seen(self, path_prefix: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    def _fault_for(self, target: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.match in target and fault.times != 0:
                    if fault.times is not None:
                        fault.times -= 1
                    fault.hit.set()
                    return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the library's httpx2 client expects
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""

    def do_GET(self) -> None:
        hub = self.server.hub
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        with hub.lock:
            headers = {name.lower(): value for name, value in self.headers.items()}
            hub.requests.append(Seen(url.path, query, headers))
        fault = hub._fault_for(self.path)
        if fault is not None and fault.status is None:
            fault.release.wait(timeout=30)
            self.close_connection = True
            return
        if fault is not None and fault.status is not None:
            if fault.after is not None:
                fault.after.wait(timeout=30)
            self._send(fault.status, fault.body, fault.content_type, fault.headers)
            return
        if url.path == "/api/models":
            self._list_models(hub, query)
            return
        match = README_RE.match(unquote(url.path))
        repo_id = match["repo_id"] if match else ""
        if repo_id.startswith(RENAMED_PREFIX):  # the old name of a renamed repo
            repo_id = repo_id[len(RENAMED_PREFIX) :]
        state = hub.states.get(repo_id)
        with_token = "authorization" in headers
        if match is None or not any(m["id"] == repo_id for m in hub.models):
            status, answer = NOT_FOUND[with_token]
            self._send(status, b'{"error": "not found"}', "application/json", answer)
        elif state == "renamed" and not match["repo_id"].startswith(RENAMED_PREFIX):
            where = f"/{quote(RENAMED_PREFIX + repo_id)}/resolve/{match['revision']}/README.md"
            self._send(307, b"", "text/plain", {"Location": where})
        elif state in ACCESS_ANSWERS:
            status, answer = ACCESS_ANSWERS[state][with_token]
            self._send(status, b'{"error": "denied"}', "application/json", answer)
        elif repo_id not in hub.readmes:
            self._error(404, "EntryNotFound", "Entry not found")
        else:
            body = hub.readmes[repo_id].encode()
            headers = {"ETag": f'"{len(body):040x}"', "X-Repo-Commit": "0" * 40}
            self._send(200, body, "text/plain; charset=utf-8", headers)

    def _list_models(self, hub: FakeHub, query: dict[str, list[str]]) -> None:
        expand = query.get("expand", [])
        unknown = sorted(set(expand) - set(EXPANDABLE))
        if unknown:
            self._error(400, "BadRequest", f"Invalid expand value(s): {unknown}")
            return
        sort = query.get("sort", [DEFAULT_SORT])[0]
        direction = query.get("direction", ["-1"])[0]
        if sort not in SORTABLE or direction not in ("-1", "1"):
            self._error(400, "BadRequest", f"Invalid sort parameter: {sort} {direction}")
            return
        limit = min(int(query.get("limit", [str(MAX_PAGE_SIZE)])[0]), MAX_PAGE_SIZE)
        cursor = query.get("cursor")
        fields = ("_id", "id", *expand)
        ascending = direction == "1"
        headers = {}
        with hub.lock:
            ordered = listing_order(hub.models, sort, ascending)
            remaining = [m for m in ordered if cursor is None or past_cursor(m, cursor[0])]
            page = [{k: m.get(k) for k in fields if k in m} for m in remaining[:limit]]
            if len(remaining) > limit:
                # As the Hub links: `sort` first (even when defaulted), the rest of the query kept.
                params = [("sort", sort)]
                params += [
                    (k, v) for k, vs in query.items() if k not in ("sort", "cursor") for v in vs
                ]
                params.append(("cursor", encode_cursor(remaining[limit - 1], sort, ascending)))
                headers["Link"] = f'<{hub.base_url}/api/models?{urlencode(params)}>; rel="next"'
            hub.listing_pages += 1
            change = hub.changes.pop(hub.listing_pages, None)
        if change is not None:
            change()
        self._send(200, json.dumps(page).encode(), "application/json; charset=utf-8", headers)

    def _error(self, status: int, code: str, message: str) -> None:
        headers = {"X-Error-Code": code, "X-Error-Message": message}
        self._send(status, json.dumps({"error": message}).encode(), "application/json", headers)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, hub: FakeHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hub = hub


@contextmanager
def serve(hub: FakeHub) -> Iterator[FakeHub]:
    """Run `hub` on an ephemeral 127.0.0.1 port for the duration of the block."""
    server = _Server(hub)
    hub.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        hub.clear_faults()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
