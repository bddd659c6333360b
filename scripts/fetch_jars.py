"""Fill the local jar cache with the GraphFrames JVM package, once, so later runs are offline.

Spark's own Ivy resolver fetches the package (and its GraphX fork and other runtime
dependencies) from Maven Central; the jars are copied into the cache next to a manifest
naming the coordinate they belong to. When the fetch fails the manifest records the
exact resolver error, so every job and test that needs GraphFrames can say why.

    python scripts/fetch_jars.py [--cache .cache/jars] [--allow-missing]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jobs.config import resolve_repo_path
from jobs.spark_session import MANIFEST_NAME, graphframes_package

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


def fetch(cache: Path) -> dict[str, object]:
    """Resolve the package into a temporary Ivy home, then copy its jars into `cache`."""
    package = graphframes_package()
    cache.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {"coordinate": package.core, "graphx": package.graphx}
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
            manifest["error"] = resolver_error(result.stderr)
            manifest["jars"] = []
        else:
            for jar in jars:
                shutil.copy2(jar, cache / jar.name)
            manifest["jars"] = [jar.name for jar in jars]
    tmp = cache / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    tmp.replace(cache / MANIFEST_NAME)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=".cache/jars", help="jar cache directory")
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="exit 0 when the package cannot be fetched (the error is kept in the manifest)",
    )
    args = parser.parse_args(argv)
    cache = resolve_repo_path(args.cache)
    manifest = fetch(cache)
    if manifest.get("error"):
        print(
            f"fetch_jars: could not fetch {manifest['coordinate']} into {cache}: "
            f"{manifest['error']}; GraphFrames stages and tests will not run until it is fetched",
            file=sys.stderr,
        )
        return 0 if args.allow_missing else 1
    print(f"fetch_jars: {manifest['coordinate']} -> {cache} ({manifest['jars']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
