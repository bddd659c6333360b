#!/usr/bin/env bash
# Headless Chromium for the report's browser test (tests/jobs/test_report_browser.py):
# Debian's chromium package, installed with apt when /usr/bin/chromium is missing (as root,
# or with passwordless sudo). When it cannot be installed, the reason is kept in
# .cache/chromium-error.txt: under CI=true the script then exits 1 with that line (CI never
# goes green without the browser); elsewhere the browser test skips quoting it.
# Usage: scripts/install_chromium.sh
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
status="$repo/.cache/chromium-error.txt"
mkdir -p "$repo/.cache"
rm -f "$status"
chromium="${PEDIGREE_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$chromium" ]; then
    echo "install_chromium: $("$chromium" --version 2>/dev/null | head -1) at $chromium"
    exit 0
fi

if [ "$(id -u)" = "0" ]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    sudo=(none)
fi

log="$(mktemp)"
if [ "${sudo[0]:-}" = "none" ]; then
    echo "Debian's chromium is not installed and apt needs root: run 'sudo apt-get install chromium'" >"$status"
elif DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q chromium >"$log" 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -q >>"$log" 2>&1 \
         && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q chromium >>"$log" 2>&1; }; then
    echo "install_chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1) installed with apt"
    rm -f "$log"
    exit 0
else
    error="$(grep -E '^E:|rror' "$log" | tail -1)"
    echo "apt-get could not install chromium: ${error:-see apt output}" >"$status"
fi
rm -f "$log"
if [ "${CI:-}" = "true" ]; then
    echo "install_chromium: CI=true and Chromium is missing: $(cat "$status")" >&2
    exit 1
fi
echo "install_chromium: $(cat "$status"); the browser test will skip" >&2
