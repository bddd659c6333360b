from pathlib import Path

import pytest

from jobs.config import DEFAULT_CONFIG, ConfigError, load_config


def test_default_config_loads_with_the_documented_values() -> None:
    config = load_config()
    assert config.spark.master == "local[2]"
    assert config.ingest.arrow_batch_rows == 2000


def test_cli_override_is_parsed_as_yaml_and_typed() -> None:
    config = load_config(DEFAULT_CONFIG, ("ingest.arrow_batch_rows=500", "spark.master=local[1]"))
    assert config.ingest.arrow_batch_rows == 500
    assert config.spark.master == "local[1]"


@pytest.mark.parametrize(
    "override",
    ["ingest.arrow_batch_rowz=5", "nosuch.key=1", "ingest=3", "noequals"],
)
def test_unknown_keys_and_bad_overrides_are_rejected(override: str) -> None:
    with pytest.raises(ConfigError):
        load_config(DEFAULT_CONFIG, (override,))


def test_wrong_type_is_rejected_with_the_key_named() -> None:
    with pytest.raises(ConfigError, match=r"ingest\.arrow_batch_rows"):
        load_config(DEFAULT_CONFIG, ("ingest.arrow_batch_rows=many",))


def test_unknown_key_in_yaml_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("spark:\n  mastr: local[1]\n")
    with pytest.raises(ConfigError, match=r"spark\.mastr"):
        load_config(path)


def test_missing_config_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_float_keys_accept_integers_and_reject_text() -> None:
    assert (
        load_config(DEFAULT_CONFIG, ("similarity.lsh_threshold=1",)).similarity.lsh_threshold == 1.0
    )
    with pytest.raises(ConfigError, match=r"similarity\.lsh_threshold"):
        load_config(DEFAULT_CONFIG, ("similarity.lsh_threshold=high",))
