"""Headless Chromium (Debian's package) driven over the DevTools protocol, for the report.

A real browser opens the page from disk; the test reads what it saw: console messages,
exceptions and failed loads (events the browser sends while it loads), images that did
not decode, the page's own load timing, and a full-page screenshot.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

from tests.components import CHROMIUM

# The flags a closed network needs: no background fetches, updates or sync, no QUIC.
VIEWPORT = (1280, 900)  # a laptop's browser window
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-allow-origins=*",
    "--remote-debugging-port=0",
)


@dataclass
class PageVisit:
    url: str
    load_ms: float
    console_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)


class Browser:
    """One Chromium process and one tab, driven synchronously."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="pedigree-chromium-")
        self.process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        port = self._devtools_port()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            target = json.load(response)
        self.socket = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=VIEWPORT[0],
            height=VIEWPORT[1],
            deviceScaleFactor=1,
            mobile=False,
        )

    def _devtools_port(self) -> int:
        assert self.process.stderr is not None
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            seen.append(line)
            match = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if match:
                return int(match.group(1))
        raise RuntimeError(f"chromium did not start: {''.join(seen)[-2000:]}")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command; events that arrive before its answer are kept in `events`."""
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for index, message in enumerate(self.events):
            if message.get("method") == event:
                return self.events.pop(index)
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            if message.get("method") == event:
                return message
            self.events.append(message)
        raise TimeoutError(event)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def visit(self, path: Path) -> PageVisit:
        """Open a local file and wait for its load event; report what went wrong loading it."""
        self.events.clear()
        url = path.resolve().as_uri()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        load_ms = float(
            self.evaluate(
                "(() => { const t = performance.getEntriesByType('navigation')[0];"
                " return t.loadEventEnd || t.duration; })()"
            )
        )
        visit = PageVisit(url, load_ms)
        for message in self.events:
            method, params = message.get("method"), message.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                visit.console_errors.append(json.dumps(params.get("args"))[:300])
            elif method == "Runtime.exceptionThrown":
                visit.console_errors.append(json.dumps(params.get("exceptionDetails"))[:300])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                visit.console_errors.append(params["entry"].get("text", "")[:300])
            elif method == "Network.loadingFailed":
                visit.failed_loads.append(f"{params.get('errorText')}: {params.get('requestId')}")
            elif method == "Network.requestWillBeSent":
                requested = params["request"]["url"]
                if not requested.startswith(("file:", "data:", "about:")):
                    visit.failed_loads.append(f"remote request {requested}")
        return visit

    def screenshot(self, path: Path) -> tuple[int, int]:
        """A full-page PNG; returns its CSS size (width, height)."""
        metrics = self.call("Page.getLayoutMetrics")["cssContentSize"]
        width, height = int(metrics["width"]), int(metrics["height"])
        shot = self.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return width, height

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
