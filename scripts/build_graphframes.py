"""Build the GraphFrames JVM jars from a GraphFrames source release, for machines Maven
Central cannot serve (air-gapped clusters, mirrors without `io.graphframes`).

Nothing is downloaded: the pyspark wheel ships the Scala compiler (scala-compiler,
scala-library, scala-reflect) and every "provided" dependency GraphFrames compiles
against, and Java 17's javac does the rest. The tarball's sha256 is checked first.
Two modules, in order: the `graphframes-graphx` fork of GraphX, then the core with the
graphx classes on its classpath. The jars get the file names Spark's Maven resolver
gives the published ones, so the jar cache looks the same whichever way it was filled.

    python -m scripts.build_graphframes --source graphframes-0.11.0-src.tar.gz \
        --cache .cache/jars
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pyspark

from jobs.spark_session import GraphFramesPackage, graphframes_package

# sha256 of `git archive --prefix=graphframes-<v>/ v<v>` of github.com/graphframes/graphframes,
# per release this project can build; a tarball that does not match is refused.
KNOWN_SOURCE_SHA256 = {
    "0.11.0": "5e461a688774d819a5d6a2714815391435ccace5354a6c0c6f37dbb69e86ffc4",
}
SCALA_COMPILER_JARS = ("scala-compiler", "scala-library", "scala-reflect")


class BuildError(RuntimeError):
    """The source could not be verified or compiled; the message says which step failed."""


@dataclass(frozen=True)
class Module:
    """One sbt module of the GraphFrames build: where its sources are, what jar it makes."""

    artifact: str
    source_dirs: tuple[str, ...]


def modules(package: GraphFramesPackage) -> tuple[Module, Module]:
    """graphx first (core depends on it); core adds the Spark-major-specific sources."""
    suffix = f"spark{package.spark_major}_{package.scala}"
    return (
        Module(f"graphframes-graphx-{suffix}", ("graphx/src/main/scala", "graphx/src/main/java")),
        Module(
            f"graphframes-{suffix}",
            (
                "core/src/main/scala",
                f"core/src/main/scala-spark-{package.spark_major}",
                "core/src/main/java",
            ),
        ),
    )


def jar_file_name(artifact: str, version: str) -> str:
    """The name Spark's Ivy resolver gives a resolved jar: `<org>_<artifact>-<version>.jar`.

    >>> jar_file_name("graphframes-spark4_2.13", "0.11.0")
    'io.graphframes_graphframes-spark4_2.13-0.11.0.jar'
    """
    return f"io.graphframes_{artifact}-{version}.jar"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expected_sha256(source: Path, version: str) -> str:
    """The pinned digest for this release, else the `<tarball>.sha256` file beside it."""
    if version in KNOWN_SOURCE_SHA256:
        return KNOWN_SOURCE_SHA256[version]
    sidecar = source.with_name(source.name + ".sha256")
    if not sidecar.is_file():
        raise BuildError(
            f"no known sha256 for GraphFrames {version} and no {sidecar.name} beside {source}"
        )
    return sidecar.read_text(encoding="utf-8").split()[0]


def verify_source(source: Path, version: str) -> str:
    """Refuse a missing or altered tarball; return its sha256."""
    if not source.is_file():
        raise BuildError(f"GraphFrames source tarball {source} does not exist")
    actual = sha256_of(source)
    expected = expected_sha256(source, version)
    if actual != expected:
        raise BuildError(f"{source} has sha256 {actual}, expected {expected}; refusing to build")
    return actual


def spark_jars_dir() -> Path:
    return Path(pyspark.__file__).resolve().parent / "jars"


def compiler_classpath(jars_dir: Path) -> str:
    """The Scala 2.13 compiler jars the pyspark wheel ships (spark-sql needs them at run time)."""
    found = []
    for name in SCALA_COMPILER_JARS:
        matches = sorted(jars_dir.glob(f"{name}-2.13.*.jar"))
        if not matches:
            raise BuildError(f"{jars_dir} has no {name}-2.13 jar; is this pyspark for Spark 4?")
        found.append(str(matches[-1]))
    return ":".join(found)


def sources_under(root: Path, dirs: tuple[str, ...], suffix: str) -> list[Path]:
    """Source files of a module; `package-info.java` files only carry docs and break scalac."""
    files: list[Path] = []
    for folder in dirs:
        files.extend(
            p for p in sorted((root / folder).rglob(f"*{suffix}")) if p.name != "package-info.java"
        )
    return files


def run_tool(launcher: list[str], arguments: list[str], step: str, argfile_dir: Path) -> None:
    """Run a compiler with its arguments in an @argfile (hundreds of paths), one-line error."""
    argfile = argfile_dir / f"{step.replace(' ', '-')}.args"
    argfile.write_text("".join(f'"{a}"\n' for a in arguments), encoding="utf-8")
    result = subprocess.run([*launcher, f"@{argfile}"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        errors = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if line]
        first = next((line for line in errors if "error" in line.lower()), errors[:1] or ["?"])
        raise BuildError(f"{step} failed (exit {result.returncode}): {first}")


def compile_module(
    root: Path, module: Module, classpath: list[Path], work: Path, java: str, javac: str
) -> Path:
    """scalac over the Scala (and, jointly, Java) sources, then javac for the Java ones."""
    classes = work / module.artifact
    classes.mkdir(parents=True)
    scala_sources = sources_under(root, module.source_dirs, ".scala")
    java_sources = sources_under(root, module.source_dirs, ".java")
    cp = ":".join(str(p) for p in classpath)
    scalac = [java, "-Xss8m", "-Xmx2g", "-cp", compiler_classpath(spark_jars_dir())]
    run_tool(
        [*scalac, "scala.tools.nsc.Main"],
        [
            "-Xsource:3",
            "-release",
            "17",
            "-nowarn",
            "-classpath",
            cp,
            "-d",
            str(classes),
            *map(str, scala_sources + java_sources),
        ],
        f"scalac {module.artifact}",
        work,
    )
    if java_sources:
        run_tool(
            [javac],
            [
                "--release",
                "17",
                "-nowarn",
                "-classpath",
                f"{classes}:{cp}",
                "-d",
                str(classes),
                *map(str, java_sources),
            ],
            f"javac {module.artifact}",
            work,
        )
    return classes


def write_jar(classes: Path, target: Path, package: GraphFramesPackage, artifact: str) -> None:
    """A plain jar (manifest first, then the classes in a stable order), written atomically."""
    manifest = (
        "Manifest-Version: 1.0\r\n"
        f"Implementation-Title: {artifact}\r\n"
        f"Implementation-Version: {package.version}\r\n"
        "Implementation-Vendor-Id: io.graphframes\r\n"
        "Created-By: pedigree scripts/build_graphframes.py\r\n\r\n"
    )
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as jar:
        jar.writestr("META-INF/MANIFEST.MF", manifest)
        for path in sorted(classes.rglob("*")):
            if path.is_file():
                jar.write(path, path.relative_to(classes).as_posix())
    tmp.replace(target)


def build(
    source: Path, cache: Path, package: GraphFramesPackage | None = None
) -> dict[str, object]:
    """Verify, extract and compile the source; put both jars in `cache`; return provenance."""
    package = package or graphframes_package()
    digest = verify_source(source, package.version)
    java = shutil.which("java")
    javac = shutil.which("javac")
    if not java or not javac:
        raise BuildError("java and javac (JDK 17) must be on PATH to build GraphFrames")
    spark_jars = sorted(spark_jars_dir().glob("*.jar"))
    cache.mkdir(parents=True, exist_ok=True)
    built: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pedigree-graphframes-") as tmp:
        work = Path(tmp)
        with tarfile.open(source) as tarball:
            tarball.extractall(work / "src", filter="data")
        tops = [p for p in (work / "src").iterdir() if p.is_dir()]
        if len(tops) != 1:
            raise BuildError(f"{source} does not hold one top-level source folder")
        root = tops[0]
        classpath = list(spark_jars)
        for module in modules(package):
            classes = compile_module(root, module, classpath, work / "classes", java, javac)
            name = jar_file_name(module.artifact, package.version)
            write_jar(classes, cache / name, package, module.artifact)
            built.append(name)
            classpath.insert(0, classes)
    return {"source": str(source), "source_sha256": digest, "jars": built}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, type=Path, help="GraphFrames source tarball")
    parser.add_argument("--cache", default=".cache/jars", type=Path, help="where the jars go")
    args = parser.parse_args(argv)
    try:
        record = build(args.source, args.cache)
    except BuildError as err:
        print(f"build_graphframes: error: {err}", file=sys.stderr)
        return 1
    print(f"build_graphframes: {record['jars']} -> {args.cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
