from pathlib import Path

import pytest

from jobs.config import DEFAULT_CONFIG, ConfigError, load_config, parse_override


def test_default_config_loads_with_the_documented_values() -> None:
    config = load_config()
    assert config.spark.master == "local[2]"
    assert config.ingest.arrow_batch_rows == 2000


def test_cli_override_is_read_as_the_type_of_its_key() -> None:
    config = load_config(DEFAULT_CONFIG, ("ingest.arrow_batch_rows=500", "spark.master=local[1]"))
    assert config.ingest.arrow_batch_rows == 500
    assert config.spark.master == "local[1]"


@pytest.mark.parametrize(
    "override",
    ["ingest.arrow_batch_rowz=5", "nosuch.key=1", "ingest=3", "noequals", "=1"],
)
def test_unknown_keys_and_bad_overrides_are_rejected(override: str) -> None:
    with pytest.raises(ConfigError):
        load_config(DEFAULT_CONFIG, (override,))


def test_unknown_override_lists_what_exists() -> None:
    with pytest.raises(ConfigError, match=r"'nope\.key'.*sections: audit, drift.*spark"):
        load_config(DEFAULT_CONFIG, ("nope.key=1",))
    with pytest.raises(ConfigError, match=r"'spark\.mastr'.*app_name.*master"):
        load_config(DEFAULT_CONFIG, ("spark.mastr=local[1]",))
    with pytest.raises(ConfigError, match=r"'ingest'.*arrow_batch_rows"):
        load_config(DEFAULT_CONFIG, ("ingest=3",))
    with pytest.raises(ConfigError, match=r"'spark\.master\.x'"):
        load_config(DEFAULT_CONFIG, ("spark.master.x=1",))


def test_wrong_type_is_rejected_with_the_key_named() -> None:
    with pytest.raises(ConfigError, match=r"ingest\.arrow_batch_rows"):
        load_config(DEFAULT_CONFIG, ("ingest.arrow_batch_rows=many",))


def test_unknown_key_in_yaml_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("spark:\n  mastr: local[1]\n")
    with pytest.raises(ConfigError, match=r"spark\.mastr.*master"):
        load_config(path)


def test_missing_config_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_float_keys_accept_integers_and_reject_text() -> None:
    assert load_config(DEFAULT_CONFIG, ("inference.threshold=1",)).inference.threshold == 1.0
    with pytest.raises(ConfigError, match=r"similarity\.lsh_threshold"):
        load_config(DEFAULT_CONFIG, ("similarity.lsh_threshold=high",))


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("spark.master=", "spark.master"),
        ("spark.app_name= ", "spark.app_name"),
        ("spark.defaults_file=", "spark.defaults_file"),
        ("spark.checkpoint_dir=", "spark.checkpoint_dir"),
        ("spark.jar_cache=", "spark.jar_cache"),
        ("spark.log_level=CHATTY", "spark.log_level"),
        ("spark.rows_per_shuffle_partition=-1", "spark.rows_per_shuffle_partition"),
        ("ingest.arrow_batch_rows=0", "ingest.arrow_batch_rows"),
        ("ingest.arrow_batch_rows=-5", "ingest.arrow_batch_rows"),
        ("ingest.max_card_chars=-1", "ingest.max_card_chars"),
        ("ingest.max_card_chars=0", "ingest.max_card_chars"),
        ("ingest.min_partitions=-1", "ingest.min_partitions"),
        ("lineage.components_algorithm=bogus", "lineage.components_algorithm"),
        ("lineage.components_broadcast_threshold=-2", "lineage.components_broadcast_threshold"),
        ("lineage.graphx_max_iter=0", "lineage.graphx_max_iter"),
        ("lineage.max_depth_rounds=0", "lineage.max_depth_rounds"),
        ("lineage.scc_max_iter=0", "lineage.scc_max_iter"),
        ("lineage.top_families_logged=-1", "lineage.top_families_logged"),
        ("inference.threshold=0", "inference.threshold"),
        ("inference.prose=1", "inference.prose"),
        ("inference.near_duplicate_jaccard=0", "inference.near_duplicate_jaccard"),
        ("inference.near_duplicate_jaccard=1.5", "inference.near_duplicate_jaccard"),
        ("inference.near_duplicate_download_ratio=-1", "inference.near_duplicate_download_ratio"),
        ("inference.near_duplicate_download_ratio=inf", "inference.near_duplicate_download_ratio"),
        ("inference.min_name_downloads=-1", "inference.min_name_downloads"),
        ("similarity.shingle_size=0", "similarity.shingle_size"),
        ("similarity.num_perm=0", "similarity.num_perm"),
        ("similarity.seed=-1", "similarity.seed"),
        ("similarity.seed=4294967296", "similarity.seed"),
        ("similarity.lsh_threshold=5", "similarity.lsh_threshold"),
        ("similarity.lsh_threshold=1", "similarity.lsh_threshold"),
        ("similarity.lsh_threshold=0", "similarity.lsh_threshold"),
        ("similarity.lsh_threshold=nan", "similarity.lsh_threshold"),
        ("similarity.max_bucket=0", "similarity.max_bucket"),
        ("similarity.sibling_pairs_per_parent=0", "similarity.sibling_pairs_per_parent"),
        ("similarity.same_family_pairs_per_family=0", "similarity.same_family_pairs_per_family"),
        ("similarity.random_pairs=0", "similarity.random_pairs"),
        ("similarity.pair_seed=-1", "similarity.pair_seed"),
        ("similarity.bootstrap_samples=0", "similarity.bootstrap_samples"),
        ("drift.top_n=0", "drift.top_n"),
        ("audit.derived_name_pattern=", "audit.derived_name_pattern"),
        ("report.top_families=0", "report.top_families"),
        ("report.tree_max_nodes=0", "report.tree_max_nodes"),
        ("report.tree_max_per_level=-1", "report.tree_max_per_level"),
        ("report.family_members_listed=-1", "report.family_members_listed"),
        ("report.top_values=0", "report.top_values"),
        ("report.template_clusters=-1", "report.template_clusters"),
        ("report.card_excerpt_chars=-1", "report.card_excerpt_chars"),
        ("report.growth_families=0", "report.growth_families"),
    ],
)
def test_out_of_range_values_are_rejected_with_the_key_named(override: str, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"'{key}'"):
        load_config(DEFAULT_CONFIG, (override,))


def test_documented_edge_values_are_accepted() -> None:
    config = load_config(
        DEFAULT_CONFIG,
        (
            "ingest.min_partitions=0",
            "spark.rows_per_shuffle_partition=0",
            "lineage.components_broadcast_threshold=-1",
            "lineage.components_algorithm=graphx",
            "spark.log_level=warn",
            "inference.near_duplicate_jaccard=1",
            "similarity.seed=4294967295",
        ),
    )
    assert config.ingest.min_partitions == 0
    assert config.lineage.components_broadcast_threshold == -1
    assert config.spark.log_level == "warn"


def test_override_values_are_read_as_the_user_wrote_them() -> None:
    config = load_config(
        DEFAULT_CONFIG,
        (
            "spark.log_level=off",
            "spark.app_name=2026-11-01",
            "drift.top_n=020",
            "similarity.seed=010",
            "inference.threshold=1e-1",
        ),
    )
    assert config.spark.log_level == "off"
    assert config.spark.app_name == "2026-11-01"
    assert config.drift.top_n == 20
    assert config.similarity.seed == 10
    assert config.inference.threshold == 0.1
    assert load_config(DEFAULT_CONFIG, ("spark.log_level=OFF",)).spark.log_level == "OFF"


@pytest.mark.parametrize("text", ["1e3", "abc", "true", "0x10", ""])
def test_int_override_takes_decimal_digits_only(text: str) -> None:
    with pytest.raises(ConfigError, match=r"'drift\.top_n' must be int"):
        load_config(DEFAULT_CONFIG, (f"drift.top_n={text}",))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (" local[1] ", "local[1]"),
        ('"x"', "x"),
        ("'[-_]ft\\b'", "[-_]ft\\b"),
        ("it's", "it's"),
    ],
)
def test_text_overrides_lose_surrounding_spaces_and_quotes(text: str, value: str) -> None:
    """Quotes were needed around a regex starting with `[` when values were YAML: they
    must not become part of the pattern, which would then match nothing."""
    assert parse_override(str, text, "audit.derived_name_pattern") == value


def test_yaml_file_reads_plain_words_dates_and_leading_zeros_as_written(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "spark:\n  log_level: off\n  app_name: 2026-11-01\n  master: yes\n"
        "drift:\n  top_n: 020\ninference:\n  threshold: 1e-1\n"
    )
    config = load_config(path)
    assert config.spark.log_level == "off"
    assert config.spark.app_name == "2026-11-01"
    assert config.spark.master == "yes"
    assert config.drift.top_n == 20
    assert config.inference.threshold == 0.1


def test_yaml_file_number_for_a_text_key_says_to_quote_it(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("spark:\n  app_name: 2026\n")
    with pytest.raises(ConfigError, match=r"'spark\.app_name'.*quote"):
        load_config(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("spark:\n  master: a\ningest:\n  min_partitions: 2\nspark:\n  app_name: x\n", "spark"),
        ("spark:\n  master: local[1]\n  master: local[4]\n", "spark.master"),
    ],
)
def test_duplicate_keys_in_yaml_file_are_rejected(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=rf"dup\.yaml.*'{key}'"):
        load_config(path)


def test_non_utf8_config_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("spark:\n  app_name: café\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1\.yaml.*UTF-8"):
        load_config(path)
