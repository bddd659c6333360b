"""Building GraphFrames from source refuses a tarball that is not the pinned release."""

from __future__ import annotations

import shutil

import pytest

from scripts.build_graphframes import BuildError, build, jar_file_name, verify_source
from scripts.fetch_jars import SOURCE_ENV, default_source
from tests.components import SHARED, shared_file

VENDORED = SHARED / "vendor" / "graphframes-0.11.0-src.tar.gz"


def test_a_tarball_with_another_digest_is_refused_before_anything_runs(tmp_path) -> None:
    fake = tmp_path / "graphframes-0.11.0-src.tar.gz"
    fake.write_bytes(b"not the release")
    with pytest.raises(BuildError, match="expected 5e461a68"):
        build(fake, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_a_missing_tarball_is_named(tmp_path) -> None:
    with pytest.raises(BuildError, match="does not exist"):
        verify_source(tmp_path / "nowhere.tar.gz", "0.11.0")


def test_an_unpinned_version_needs_the_sha256_file_beside_it(tmp_path) -> None:
    tarball = tmp_path / "graphframes-9.9.9-src.tar.gz"
    tarball.write_bytes(b"x")
    with pytest.raises(BuildError, match="no known sha256"):
        verify_source(tarball, "9.9.9")
    digest = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"  # sha256("x")
    (tmp_path / "graphframes-9.9.9-src.tar.gz.sha256").write_text(f"{digest}  {tarball.name}\n")
    assert verify_source(tarball, "9.9.9") == digest


def test_jars_get_the_names_spark_gives_maven_jars() -> None:
    assert jar_file_name("graphframes-graphx-spark4_2.13", "0.11.0") == (
        "io.graphframes_graphframes-graphx-spark4_2.13-0.11.0.jar"
    )


def test_the_source_comes_from_the_environment_before_the_vendor_folder(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv(SOURCE_ENV, str(tmp_path / "mine.tar.gz"))
    assert default_source("0.11.0") == tmp_path / "mine.tar.gz"
    monkeypatch.delenv(SOURCE_ENV)
    expected = VENDORED if VENDORED.is_file() else None
    assert default_source("0.11.0") == expected


def test_the_vendored_release_verifies(tmp_path) -> None:
    vendored = shared_file("vendor/graphframes-0.11.0-src.tar.gz")
    copy = tmp_path / vendored.name
    shutil.copy(vendored, copy)
    assert verify_source(copy, "0.11.0").startswith("5e461a68")
