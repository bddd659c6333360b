"""scripts/fetch_hub.py against a real HTTP server on 127.0.0.1 that speaks the Hub's API."""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyarrow.parquet as pq
import pytest
from huggingface_hub import constants as hf_constants

from scripts import fetch_hub
from tests.scripts.hub_server import (
    EXPANDABLE,
    FakeHub,
    cursor_to,
    make_models,
    real_shaped_models,
    serve,
)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "fetch_hub.py"
PAGE = 40  # 250 models -> 6 full pages and one of 10
N_MODELS = 250
MODELS = make_models(N_MODELS)[0]  # in the order the Hub lists them by creation date
LISTING_EXPAND = sorted(p for p in EXPANDABLE if p != "siblings")
FAST_RETRY = ["--retry-base", "0.001", "--retry-max", "0.01"]


@pytest.fixture(autouse=True)
def _no_ambient_hub_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither the machine's Hub settings nor its saved login leak into a test."""
    for name in ("HF_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    monkeypatch.setattr(hf_constants, "HF_TOKEN_PATH", str(tmp_path / "no-saved-token"))


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with serve(FakeHub(*make_models(N_MODELS))) as running:
        yield running


def run(hub: FakeHub, out: Path, *extra: str) -> int:
    """Run the script in-process (fast) against the fake Hub."""
    argv = ["--output", str(out), "--endpoint", hub.base_url, "--page-size", str(PAGE)]
    return fetch_hub.main([*argv, "--quiet", *FAST_RETRY, *extra])


def run_subprocess(
    hub: FakeHub, out: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the script as its own process, with a clean Hub environment plus `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    clean["HF_HOME"] = str(out.parent / "hf_home")  # no saved login from the machine
    argv = [sys.executable, str(SCRIPT), "--output", str(out), "--endpoint", hub.base_url]
    return subprocess.run(
        [*argv, "--page-size", str(PAGE), *FAST_RETRY, *extra],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def shards(folder: Path) -> list[list[dict]]:
    return [
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in sorted(folder.glob("part-*.jsonl"))
    ]


def page_of(offset: int) -> str:
    """Matches the listing request for the page starting at `offset` (offset > 0)."""
    return urlencode({"cursor": cursor_to(MODELS, offset)})


def readme_of(index: int) -> str:
    return f"/org-{index % 7}/model-{index:03d}/resolve/main/README.md"


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("fetch_hub: error: ")
    return lines[0]


def test_full_run_writes_every_model_once_with_the_hubs_values(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fetch_hub")
    assert run(hub, tmp_path / "out") == 0

    listing = shards(tmp_path / "out" / "hub-listing")
    assert [len(s) for s in listing] == [PAGE] * 6 + [10]
    rows = [row for shard in listing for row in shard]
    assert [r["id"] for r in rows] == [m["id"] for m in hub.models]
    for row, model in zip(rows, hub.models, strict=True):
        assert row == {
            "id": model["id"],
            "author": model["author"],
            "created_at": model["createdAt"],
            "last_modified": model["lastModified"],
            "downloads": model["downloads"],
            "likes": model["likes"],
            "library_name": model.get("library_name"),
            "pipeline_tag": model["pipeline_tag"],
            "tags": model["tags"],
            "card_data": model.get("cardData"),  # raw: broken model-index and dup tags kept
            "siblings": None,
        }
    assert any("model-index" in (r["card_data"] or {}) for r in rows)

    requests = hub.seen("/api/models")
    assert len(requests) == 7 and not hub.seen("/org-")
    assert set(requests[0].query) == {"sort", "limit", "expand"}
    assert requests[0].query["sort"] == ["createdAt"]
    assert requests[0].query["limit"] == [str(PAGE)]
    assert sorted(requests[0].query["expand"]) == LISTING_EXPAND
    for k, request in enumerate(requests[1:], start=1):
        assert request.query["sort"] == ["createdAt"]
        assert request.query["cursor"] == [cursor_to(MODELS, k * PAGE)]
    assert all("authorization" not in r.headers for r in requests)

    state = json.loads((tmp_path / "out" / "_fetch_state.json").read_text())
    assert state["complete"] and state["models"] == N_MODELS and len(state["shards"]) == 7
    shard_lines = [r for r in caplog.records if "hub-listing/part-" in r.getMessage()]
    assert len(shard_lines) == 7


def test_files_and_cards_record_missing_readmes_without_failing(
    hub: FakeHub, tmp_path: Path
) -> None:
    gone = 8  # deleted between listing and README fetch
    hub.fail(readme_of(gone), 404, times=None, headers={"X-Error-Code": "RepoNotFound"})
    assert run(hub, tmp_path / "out", "--files", "--cards", "--workers", "4") == 0

    rows = [r for s in shards(tmp_path / "out" / "hub-listing") for r in s]
    assert all(r["siblings"] == [".gitattributes", "model.safetensors"] for r in rows)
    assert sorted(hub.seen("/api/models")[0].query["expand"]) == sorted(
        [*LISTING_EXPAND, "siblings"]
    )

    card_shards = shards(tmp_path / "out" / "cards")
    assert [len(s) for s in card_shards] == [PAGE] * 6 + [10]
    cards = [c for s in card_shards for c in s]
    assert [c["model_id"] for c in cards] == [r["id"] for r in rows]
    for i, card in enumerate(cards):
        if i == gone:
            assert card == {"model_id": card["model_id"], "card": None, "error": "RepoNotFound"}
        elif card["model_id"] in hub.readmes:
            assert card["card"] == hub.readmes[card["model_id"]] and card["error"] is None
        else:
            assert card["card"] is None and card["error"] == "EntryNotFound"
    assert sum(c["error"] == "EntryNotFound" for c in cards) == N_MODELS - len(hub.readmes)
    assert len(hub.seen("/org-")) == N_MODELS


def test_throttling_and_server_errors_are_retried_to_the_same_output(
    hub: FakeHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert run(hub, tmp_path / "reference", "--cards") == 0
    listing_requests = len(hub.seen("/api/models"))

    hub.fail("/api/models", 502)  # the first page
    hub.fail(page_of(2 * PAGE), 429, times=2, headers={"Retry-After": "0"})
    hub.fail(page_of(4 * PAGE), 503)
    # A cache's error page with a 200, and the CDN's answer while the Hub's origin is down.
    hub.fail(page_of(5 * PAGE), 200, body=b"<html><body>Bad gateway</body></html>")
    hub.fail(readme_of(7), 520)
    # The Hub's own throttling answer: its RateLimit headers say when to come back.
    ratelimit = {
        "RateLimit": '"api";r=0;t=0',
        "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
    }
    hub.fail(readme_of(13), 429, headers=ratelimit)
    hub.fail(readme_of(100), 500, times=2)
    caplog.set_level(logging.WARNING, logger="fetch_hub")
    assert run(hub, tmp_path / "out", "--cards") == 0

    assert tree(tmp_path / "out") == tree(tmp_path / "reference")
    assert len(hub.seen("/api/models")) == 2 * listing_requests + 5
    assert len(hub.seen(readme_of(7))) == 2 * 1 + 1
    assert len([r for r in caplog.records if "retry" in r.getMessage()]) == 9


def test_retry_delay_honors_the_server_and_backs_off_with_jitter() -> None:
    policy = fetch_hub.RetryPolicy(max_retries=5, base=1.0, cap=60.0)
    assert policy.delay(0, {"Retry-After": "7"}) == 7.0
    assert policy.delay(3, {"Retry-After": "0"}) == 0.0
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= policy.delay(0, {"Retry-After": date}) <= 30
    assert policy.delay(0, {"RateLimit": '"api";r=0;t=42'}) == 42.0
    assert 0.5 <= policy.delay(0, {"RateLimit": '"api";r=5;t=42'}) <= 1.0
    policy = fetch_hub.RetryPolicy(max_retries=5, base=1.0, cap=8.0)
    for attempt, ceiling in [(0, 1.0), (2, 4.0), (6, 8.0)]:
        waits = {policy.delay(attempt, None) for _ in range(20)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits) and len(waits) > 1
    # --retry-max caps the server's wait too: a day-long Retry-After is not obeyed.
    assert policy.delay(0, {"Retry-After": "86400"}) == 8.0
    assert policy.delay(0, {"RateLimit": '"api";r=0;t=3600'}) == 8.0


@pytest.mark.parametrize(
    ("failing", "status", "extra"),
    [
        (page_of(3 * PAGE), 500, ["--shard-format", "jsonl"]),
        (readme_of(3 * PAGE + 5), 500, ["--cards", "--shard-format", "parquet"]),
        (readme_of(3 * PAGE + 5), 520, ["--cards"]),
    ],
    ids=["listing-page-3", "readme-on-page-3-parquet", "readme-520-on-page-3"],
)
def test_hard_failure_exits_with_one_line_and_resume_is_byte_identical(
    hub: FakeHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    failing: str,
    status: int,
    extra: list[str],
) -> None:
    """A server error that outlasts the retries stops the fetch, whatever its number: a
    README that never came is not recorded as missing, or a rerun would never ask again."""
    assert run(hub, tmp_path / "reference", *extra) == 0
    capsys.readouterr()

    hub.fail(failing, status, times=None)
    assert run(hub, tmp_path / "out", "--max-retries", "2", *extra) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"HTTP {status}" in line and failing in line and "gave up after 2 retries" in line
    assert "rerun the same command" in line
    state = json.loads((tmp_path / "out" / "_fetch_state.json").read_text())
    assert len(state["shards"]) == 3 and not state["complete"]
    assert page_of(3 * PAGE) in state["next_url"]

    hub.clear_faults()
    assert run(hub, tmp_path / "out", *extra) == 0
    assert tree(tmp_path / "out") == tree(tmp_path / "reference")
    if "parquet" in extra:
        table = pq.read_table(tmp_path / "out" / "hub-listing").to_pylist()
        assert [r["id"] for r in table] == [m["id"] for m in hub.models]
        card_data = [json.loads(r["card_data"]) if r["card_data"] else None for r in table]
        assert card_data == [m.get("cardData") for m in hub.models]


def test_a_failing_run_does_not_wait_for_readmes_still_retrying(
    hub: FakeHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Once one README ends the run (a token the Hub rejects), a README fetch that is still
    timing out gives up instead of going through its retries first."""
    stuck = hub.hang(readme_of(5))
    rejected = {"X-Error-Message": "Invalid credentials in Authorization header"}
    hub.fail(readme_of(2), 401, times=None, headers=rejected, after=stuck.hit)
    caplog.set_level(logging.WARNING, logger="fetch_hub")
    slow = ["--timeout", "0.5", "--max-retries", "5"]
    assert run(hub, tmp_path / "out", "--cards", "--workers", "4", *slow) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "README of org-2/model-002" in line and "HTTP 401" in line
    assert len(hub.seen(readme_of(5))) == 1  # its timeout came after the run had failed
    assert not [r for r in caplog.records if "retry" in r.getMessage()]


@pytest.mark.parametrize(
    "bad",
    [
        ["--retry-base", "-1"],
        ["--retry-max", "-0.5"],
        ["--retry-max", "nan"],
        ["--timeout", "0"],
        ["--max-retries", "-1"],
    ],
    ids=["retry-base", "retry-max", "retry-max-nan", "timeout", "max-retries"],
)
def test_bad_retry_and_timeout_options_are_refused_before_any_request(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: list[str]
) -> None:
    argv = ["--output", str(tmp_path / "out"), "--endpoint", hub.base_url, "--quiet", *bad]
    with pytest.raises(SystemExit) as exit_info:
        fetch_hub.main(argv)
    assert exit_info.value.code == 2
    assert bad[0] in capsys.readouterr().err
    assert not hub.requests


def test_killed_run_resumes_to_byte_identical_output(hub: FakeHub, tmp_path: Path) -> None:
    assert run(hub, tmp_path / "reference", "--cards") == 0

    stuck = hub.hang(readme_of(3 * PAGE + 5))  # page 3's listing shard is written by then
    out = tmp_path / "out"
    argv = [sys.executable, str(SCRIPT), "--output", str(out), "--endpoint", hub.base_url]
    proc = subprocess.Popen(
        [*argv, "--page-size", str(PAGE), "--cards", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert stuck.hit.wait(timeout=20)
    finally:
        proc.kill()
        proc.wait()
        stuck.release.set()
    assert (out / "hub-listing" / "part-00003.jsonl").exists()
    assert json.loads((out / "_fetch_state.json").read_text())["shards"][-1] == "part-00002.jsonl"

    hub.clear_faults()
    assert run(hub, out, "--cards") == 0
    assert tree(out) == tree(tmp_path / "reference")


def test_token_is_sent_but_never_logged_or_written(hub: FakeHub, tmp_path: Path) -> None:
    token = "secret-xyz"
    out = tmp_path / "out"
    hub.fail(page_of(PAGE), 503, headers={"Retry-After": "0"})
    hub.fail(readme_of(5), 429)
    hub.fail(page_of(5 * PAGE), 500, times=None)
    env = {"HF_TOKEN": token}
    failed = run_subprocess(hub, out, "--cards", "--files", "--max-retries", "1", env=env)
    assert failed.returncode == 1
    hub.clear_faults()
    resumed = run_subprocess(hub, out, "--cards", "--files", env=env)
    assert resumed.returncode == 0, resumed.stderr

    logs = failed.stdout + failed.stderr + resumed.stdout + resumed.stderr
    assert "retry" in logs and "part-00006" in logs
    assert token not in logs
    assert all(token.encode() not in data for data in tree(tmp_path).values())
    auth = {r.headers.get("authorization") for r in hub.requests}
    assert auth == {f"Bearer {token}"}
    agents = {r.headers.get("user-agent", "").split(";")[0] for r in hub.requests}
    assert agents == {f"pedigree/{importlib.metadata.version('pedigree')}"}
    assert hub.seen("/api/models") and hub.seen("/org-")


@pytest.mark.parametrize(
    ("flags", "env", "shown"),
    [
        ([], {}, True),
        (["--quiet"], {}, False),
        ([], {"HF_HUB_DISABLE_PROGRESS_BARS": "1"}, False),
    ],
    ids=["default", "quiet", "env-disabled"],
)
def test_progress_bar_is_silenced_by_quiet_and_the_hub_env_var(
    hub: FakeHub, tmp_path: Path, flags: list[str], env: dict[str, str], shown: bool
) -> None:
    result = run_subprocess(hub, tmp_path / "out", "--limit", "80", *flags, env=env)
    assert result.returncode == 0, result.stderr
    assert ("models/s" in result.stderr) is shown
    assert result.stderr.count("INFO fetch_hub: hub-listing/part-") == 2


def test_limit_stops_inside_a_page(hub: FakeHub, tmp_path: Path) -> None:
    assert run(hub, tmp_path / "a", "--limit", "95") == 0
    assert [len(s) for s in shards(tmp_path / "a" / "hub-listing")] == [PAGE, PAGE, 15]
    assert len(hub.seen("/api/models")) == 3

    assert run(hub, tmp_path / "b", "--limit", "5") == 0
    assert [len(s) for s in shards(tmp_path / "b" / "hub-listing")] == [5]
    assert hub.seen("/api/models")[-1].query["limit"] == ["5"]


@pytest.mark.parametrize(
    ("match", "extra", "where"),
    [("/api/models", [], "model listing"), (readme_of(2), ["--cards"], "README of org-2/")],
    ids=["listing", "readme"],
)
def test_client_errors_fail_at_once_with_one_line(
    hub: FakeHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    match: str,
    extra: list[str],
    where: str,
) -> None:
    headers = {"X-Error-Message": "Invalid credentials in Authorization header"}
    hub.fail(match, 401, times=None, headers=headers)
    assert run(hub, tmp_path / "out", *extra) == 1
    line = one_error_line(capsys.readouterr().err)
    assert where in line and "HTTP 401 Invalid credentials" in line and "HF_TOKEN" in line
    assert len(hub.seen(match)) == 1  # not retried


def test_rerun_is_a_no_op_and_other_options_are_refused(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert run(hub, out, "--limit", "40") == 0
    before, seen = tree(out), len(hub.requests)

    assert run(hub, out, "--limit", "40") == 0
    assert tree(out) == before and len(hub.requests) == seen

    capsys.readouterr()
    assert run(hub, out, "--limit", "40", "--cards") == 1
    line = one_error_line(capsys.readouterr().err)
    assert "other options" in line and "cards=False" in line
    assert tree(out) == before


def test_unreachable_endpoint_fails_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{probe.getsockname()[1]}"
    argv = ["--output", str(tmp_path / "out"), "--endpoint", endpoint, "--quiet", *FAST_RETRY]
    assert fetch_hub.main([*argv, "--max-retries", "1"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert endpoint in line and "after 1 retries" in line and "check the network" in line


def test_next_link_leaving_the_endpoint_is_refused(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The server links to 127.0.0.1; asking it as `localhost` makes that a foreign origin.
    endpoint = hub.base_url.replace("127.0.0.1", "localhost")
    assert run(hub, tmp_path / "out", "--endpoint", endpoint) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "next-page link" in line and "--endpoint" in line
    assert len(hub.seen("/api/models")) == 1


# Each README state of the real-shaped hub -> (the card kept, the reason recorded).
EXPECTED_CARDS = {
    "readme": ("the README", None),
    "renamed": ("the README", None),  # reached through the Hub's 307
    "tiny": ("the README", None),
    "gated": (None, "GatedRepo"),
    "private": (None, "RepoNotFound"),
    "disabled": (None, "DisabledRepo"),
    "unavailable": (None, "HTTP 451"),
    "no-readme": (None, "EntryNotFound"),
}


@pytest.mark.parametrize("token", [None, "hf_not_authorized"], ids=["no-token", "token"])
def test_real_ids_and_unreadable_readmes_are_recorded_and_the_fetch_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    """Ids `hf_hub_url` refuses (over 96 characters, `.git`, unicode, no namespace) are
    fetched; a gated, a private, a disabled and a 451 README cost that model its card, with
    the reason, and nothing else, whether the Hub answers them 401 (no token) or 403/404 (a
    token without access)."""
    if token:
        monkeypatch.setenv("HF_TOKEN", token)
    models, readmes, states = real_shaped_models()
    assert max(len(m["id"]) for m in models) > 96
    with serve(FakeHub(models, readmes, states)) as hub:
        assert run(hub, tmp_path / "out", "--cards", "--files", "--workers", "3") == 0
        paths = {r.path for r in hub.seen("/")}
        sent = {r.headers.get("authorization") for r in hub.seen("/")}
    assert sent == {f"Bearer {token}" if token else None}
    cards = [c for shard in shards(tmp_path / "out" / "cards") for c in shard]
    assert [c["model_id"] for c in cards] == [m["id"] for m in models]
    for card in cards:
        text, reason = EXPECTED_CARDS[states[card["model_id"]]]
        expected = readmes[card["model_id"]] if text else None
        assert (card["card"], card["error"]) == (expected, reason), card["model_id"]
    assert (
        "/ku-nlp/deberta-v2-base-japanese-%C3%BC-%E6%97%A5%E6%9C%AC%E8%AA%9E/resolve/main/"
        "README.md" in paths
    )
    state = json.loads((tmp_path / "out" / "_fetch_state.json").read_text())
    assert state["complete"] and state["models"] == len(models)


def test_models_whose_trending_score_moves_during_the_fetch_are_listed_once(
    tmp_path: Path,
) -> None:
    """The Hub's cursor is a position in the sort order. In its default trending order, a
    model rising past the cursor between pages would be skipped and one falling behind it
    listed twice; listed by creation date, neither moves, across a failure and resume too."""
    models, readmes, states = real_shaped_models()
    by_trend = sorted(models, key=lambda m: m["trendingScore"], reverse=True)

    def trending_moves() -> None:
        by_trend[0]["trendingScore"] = 0.0  # on page 1 by trend: would come again
        by_trend[-1]["trendingScore"] = 99.0  # on the last page by trend: would be skipped

    out = tmp_path / "out"
    with serve(FakeHub(models, readmes, states)) as hub:
        hub.change_after_page(1, trending_moves)
        hub.change_after_page(2, lambda: hub.fail("/api/models", 500, times=None))
        assert run(hub, out, "--page-size", "4", "--max-retries", "0") == 1
        assert len(json.loads((out / "_fetch_state.json").read_text())["shards"]) == 2
        hub.clear_faults()
        assert run(hub, out, "--page-size", "4") == 0
        listed = hub.seen("/api/models")
    ids = [row["id"] for shard in shards(out / "hub-listing") for row in shard]
    skipped = {m["id"] for m in models} - set(ids)
    repeated = {model_id for model_id, n in Counter(ids).items() if n > 1}
    assert (skipped, repeated) == (set(), set())
    assert len(ids) == len(models)
    assert all(request.query["sort"] == ["createdAt"] for request in listed)


@pytest.mark.parametrize("shard_format", ["jsonl", "parquet"])
def test_unpaired_surrogates_in_the_listing_are_replaced_not_fatal(
    tmp_path: Path, shard_format: str
) -> None:
    """A string the Hub's JSON carries as a lone `\\ud83d` (half an emoji) cannot be UTF-8:
    it is written as U+FFFD, or the page would fail on every resume."""
    models, readmes, states = real_shaped_models()
    models[1]["cardData"] = {"widget": [{"text": "hi \ud83d"}], "emoji": "\U0001f600"}
    models[2]["tags"] = [*models[2]["tags"], "cut-\udc00"]
    with serve(FakeHub(models, readmes, states)) as hub:
        assert b"\\ud83d" in json.dumps(models[1]).encode()  # what the wire carries
        assert run(hub, tmp_path / "out", "--shard-format", shard_format) == 0
    if shard_format == "jsonl":
        rows = [row for shard in shards(tmp_path / "out" / "hub-listing") for row in shard]
        card_data = [row["card_data"] for row in rows]
    else:
        rows = pq.read_table(tmp_path / "out" / "hub-listing").to_pylist()
        card_data = [json.loads(row["card_data"]) if row["card_data"] else None for row in rows]
    assert [row["id"] for row in rows] == [m["id"] for m in models]
    assert card_data[1] == {"widget": [{"text": "hi \ufffd"}], "emoji": "\U0001f600"}
    assert rows[2]["tags"][-1] == "cut-\ufffd"
