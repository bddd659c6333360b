"""Fill the local jar cache with the GraphFrames JVM package, once, so later runs are offline.

Maven Central first: Spark's own Ivy resolver fetches the package and its GraphX fork,
as on any machine that reaches Maven Central. When that fails (an air-gapped cluster,
a mirror without `io.graphframes`), the jars are built from a GraphFrames source
release with the Scala compiler inside pyspark (`scripts/build_graphframes.py`): the
tarball comes from `--source`, else `$PEDIGREE_GRAPHFRAMES_SOURCE`, else
`../shared/vendor/graphframes-<version>-src.tar.gz` beside the checkout when present.
Either way the jars land in the cache under the names Maven gives them, next to a
manifest recording the coordinate and where they came from (maven or source, the
tarball's sha256, when). A cache that already holds the right jars is reused.

    python -m scripts.fetch_jars [--cache .cache/jars] [--source TARBALL] [--allow-missing]
        [--no-maven] [--force]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jobs.config import REPO_ROOT, resolve_repo_path
from jobs.spark_session import (
    MANIFEST_NAME,
    GraphFramesUnavailable,
    cached_graphframes_jars,
    graphframes_package,
)
from scripts.build_graphframes import BuildError, build

SOURCE_ENV = "PEDIGREE_GRAPHFRAMES_SOURCE"

RESOLVE_PROGRAM = """
import sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("pedigree-fetch-jars")
         .config("spark.jars.packages", sys.argv[1])
         .config("spark.jars.ivy", sys.argv[2])
         .config("spark.ui.enabled", "false").getOrCreate())
spark.stop()
"""


def resolver_error(stderr: str) -> str:
    """The one line of Ivy's output that says what failed."""
    lines = [line.strip() for line in stderr.splitlines()]
    for marker in ("unresolved dependency", "module not found", "Exception"):
        for line in lines:
            if marker in line:
                return line
    return lines[-1] if lines else "resolver exited without output"


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def from_maven(cache: Path) -> tuple[list[str], str | None]:
    """Resolve the package into a temporary Ivy home and copy its jars; (jars, error)."""
    package = graphframes_package()
    with tempfile.TemporaryDirectory(prefix="pedigree-ivy-") as ivy_home:
        result = subprocess.run(
            [sys.executable, "-c", RESOLVE_PROGRAM, package.core, ivy_home],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        jars = sorted(Path(ivy_home, "jars").glob("*.jar"))
        if result.returncode != 0 or not jars:
            return [], resolver_error(result.stderr)
        for jar in jars:
            shutil.copy2(jar, cache / jar.name)
    return [jar.name for jar in jars], None


def default_source(version: str) -> Path | None:
    """The tarball to build from when none is given: env var, else the shared vendor folder."""
    if os.environ.get(SOURCE_ENV):
        return Path(os.environ[SOURCE_ENV])
    vendored = REPO_ROOT.parent / "shared" / "vendor" / f"graphframes-{version}-src.tar.gz"
    return vendored if vendored.is_file() else None


def write_manifest(cache: Path, manifest: dict[str, object]) -> None:
    """Record what the cache holds; jars of another version go, so `--jars <cache>/*.jar`
    (the crontab line, the Airflow DAG) never ships two GraphFrames versions."""
    tmp = cache / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    tmp.replace(cache / MANIFEST_NAME)
    kept = set(manifest.get("jars") or [])  # type: ignore[call-overload]
    for jar in cache.glob("*.jar"):
        if jar.name not in kept:
            jar.unlink()


def fetch(
    cache: Path, source: Path | None = None, try_maven: bool = True, force: bool = False
) -> dict[str, object]:
    """Reuse, else Maven, else build from source; the manifest says which (and why not)."""
    package = graphframes_package()
    cache.mkdir(parents=True, exist_ok=True)
    if not force:
        try:
            cached_graphframes_jars(cache)
            reused: dict[str, object] = json.loads((cache / MANIFEST_NAME).read_text("utf-8"))
            reused["reused"] = True
            return reused
        except GraphFramesUnavailable:
            pass
    manifest: dict[str, object] = {"coordinate": package.core, "graphx": package.graphx}
    started = time.monotonic()
    maven_error = "skipped (--no-maven)"
    if try_maven:
        jars, maven_error_or_none = from_maven(cache)
        if maven_error_or_none is None:
            manifest.update(jars=jars, origin="maven", fetched_at=now())
            manifest["seconds"] = round(time.monotonic() - started, 1)
            write_manifest(cache, manifest)
            return manifest
        maven_error = maven_error_or_none
    manifest["maven_error"] = maven_error
    tarball = source or default_source(package.version)
    if tarball is None:
        manifest.update(
            jars=[],
            error=f"Maven: {maven_error}; no source tarball to build from "
            f"(pass --source or set {SOURCE_ENV})",
        )
    else:
        try:
            record = build(tarball, cache, package)
            manifest.update(
                jars=record["jars"],
                origin="source",
                source=str(tarball.resolve()),
                source_sha256=record["source_sha256"],
                built_at=now(),
            )
        except BuildError as err:
            manifest.update(jars=[], error=f"Maven: {maven_error}; build from source: {err}")
    manifest["seconds"] = round(time.monotonic() - started, 1)
    write_manifest(cache, manifest)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=".cache/jars", help="jar cache directory")
    parser.add_argument("--source", type=Path, help=f"GraphFrames source tarball (${SOURCE_ENV})")
    parser.add_argument("--no-maven", action="store_true", help="build from source directly")
    parser.add_argument("--force", action="store_true", help="refetch even if the cache is good")
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="exit 0 when no jars could be had (the reason is kept in the manifest)",
    )
    args = parser.parse_args(argv)
    cache = resolve_repo_path(args.cache)
    manifest = fetch(cache, args.source, try_maven=not args.no_maven, force=args.force)
    if manifest.get("error"):
        print(
            f"fetch_jars: no GraphFrames jars for {manifest['coordinate']} in {cache}: "
            f"{manifest['error']}; GraphFrames stages will exit 2 until `make jars` succeeds",
            file=sys.stderr,
        )
        return 0 if args.allow_missing else 1
    how = "reused" if manifest.get("reused") else f"from {manifest['origin']}"
    print(f"fetch_jars: {manifest['coordinate']} {how} -> {cache} ({', '.join(manifest['jars'])})")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
