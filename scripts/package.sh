#!/usr/bin/env bash
# Build what a cluster needs to run pedigree's jobs:
#   DIST/pedigree-<version>-py3-none-any.whl   the project (jobs, udfs, conf tables)
#   DIST/pedigree-env.tar.gz                   a relocatable venv for executors: the wheel
#                                              and its runtime deps except pyspark and
#                                              graphframes-py, which the cluster's Spark
#                                              and the driver provide
# Usage: scripts/package.sh [DIST]   (default dist/; PYTHON picks the interpreter)
# Then:  PYSPARK_DRIVER_PYTHON=.venv/bin/python PYSPARK_PYTHON=./environment/bin/python \
#        spark-submit \
#          --archives DIST/pedigree-env.tar.gz#environment jobs/pipeline.py ...
# The archive links to the interpreter it was built with (venv-pack does not copy
# Python itself): executors need the same Python version at the same path.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$(mkdir -p "${1:-$repo/dist}" && cd "${1:-$repo/dist}" && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"
build="$(mktemp -d "${TMPDIR:-/tmp}/pedigree-package.XXXXXX")"
trap 'rm -rf "$build"' EXIT

die() { echo "package: $*" >&2; exit 1; }
[ -x "$python" ] || die "no Python at $python; run make setup or set PYTHON"
"$python" -c "import venv_pack" 2>/dev/null || die "venv-pack missing; run make setup (dev extras)"

rm -f "$dist"/pedigree-*.whl "$dist/pedigree-env.tar.gz"
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$dist" "$repo"
wheel="$(ls "$dist"/pedigree-*.whl)"

base="$("$python" -c 'import sys; print(sys.base_prefix)')/bin/python3"
"$base" -m venv "$build/env"
"$build/env/bin/pip" install --quiet --upgrade pip
"$python" - "$repo/pyproject.toml" > "$build/requirements.txt" <<'PY'
import sys, tomllib
deps = tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]
print("\n".join(d for d in deps if not d.startswith(("pyspark", "graphframes-py"))))
PY
"$build/env/bin/pip" install --quiet -r "$build/requirements.txt"
"$build/env/bin/pip" install --quiet --no-deps "$wheel"
"$python" -m venv_pack --prefix "$build/env" --output "$dist/pedigree-env.tar.gz" --quiet
chmod 644 "$dist/pedigree-env.tar.gz"
echo "package: $wheel"
echo "package: $dist/pedigree-env.tar.gz ($(du -h "$dist/pedigree-env.tar.gz" | cut -f1))"
