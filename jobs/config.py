"""One typed configuration object for every job, loaded from YAML and CLI overrides.

Unknown keys are errors: a misspelt option must fail the run, not be ignored.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "conf" / "pedigree.yaml"


class ConfigError(ValueError):
    """A configuration problem a user can fix; the message is one line."""


@dataclass(frozen=True)
class SparkConfig:
    master: str = "local[2]"
    app_name: str = "pedigree"
    defaults_file: str = "conf/spark-defaults.local.conf"
    checkpoint_dir: str = "_checkpoints"
    jar_cache: str = ".cache/jars"
    log_level: str = "ERROR"
    rows_per_shuffle_partition: int = 50_000


@dataclass(frozen=True)
class IngestConfig:
    arrow_batch_rows: int = 2000
    max_card_chars: int = 200_000
    min_partitions: int = 0


@dataclass(frozen=True)
class LineageConfig:
    components_algorithm: str = "randomized_contraction"
    components_broadcast_threshold: int = -1
    max_depth_rounds: int = 200
    scc_max_iter: int = 100
    top_families_logged: int = 10


@dataclass(frozen=True)
class InferenceConfig:
    threshold: float = 0.5
    prose: float = 0.85
    config: float = 0.9
    name: float = 0.6
    same_name: float = 0.25
    link: float = 0.25
    near_duplicate: float = 0.3
    near_duplicate_jaccard: float = 0.8
    near_duplicate_download_ratio: float = 10.0
    min_name_downloads: int = 100

    def __post_init__(self) -> None:
        for kind, weight in self.weights().items():
            if not 0.0 <= weight < 1.0:
                raise ConfigError(f"config key 'inference.{kind}' must be in [0, 1), got {weight}")
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(
                f"config key 'inference.threshold' must be in (0, 1], got {self.threshold}"
            )

    def weights(self) -> dict[str, float]:
        """Evidence kind -> the confidence it alone gives (udfs.inferred.combine_confidence)."""
        kinds = ("prose", "config", "name", "same_name", "link", "near_duplicate")
        return {kind: float(getattr(self, kind)) for kind in kinds}


@dataclass(frozen=True)
class SimilarityConfig:
    shingle_size: int = 3
    num_perm: int = 128
    seed: int = 1
    lsh_threshold: float = 0.8
    max_bucket: int = 1000
    sibling_pairs_per_parent: int = 50
    same_family_pairs_per_family: int = 50
    random_pairs: int = 20000
    pair_seed: int = 7
    bootstrap_samples: int = 1000


@dataclass(frozen=True)
class DriftConfig:
    top_n: int = 20


@dataclass(frozen=True)
class AuditConfig:
    derived_name_pattern: str = (
        r"(?i)(fine-?tun|finetune|[-_]ft\b|lora|peft|adapter|gguf|gptq|awq|exl2|"
        r"quantiz|[-_]merge|dpo|sft|distill)"
    )


@dataclass(frozen=True)
class ReportConfig:
    top_families: int = 10
    tree_max_nodes: int = 120
    tree_max_per_level: int = 30
    family_members_listed: int = 200
    top_values: int = 12
    template_clusters: int = 10
    card_excerpt_chars: int = 400
    growth_families: int = 5


@dataclass(frozen=True)
class Config:
    spark: SparkConfig = field(default_factory=SparkConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    lineage: LineageConfig = field(default_factory=LineageConfig)
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    similarity: SimilarityConfig = field(default_factory=SimilarityConfig)
    drift: DriftConfig = field(default_factory=DriftConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    report: ReportConfig = field(default_factory=ReportConfig)


def _build(cls: type, data: Any, where: str) -> Any:
    """Build dataclass `cls` from a mapping, rejecting unknown keys and wrong types."""
    if not isinstance(data, dict):
        raise ConfigError(f"config section '{where or 'top level'}' must be a mapping")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        key = _join(where, unknown[0])
        raise ConfigError(f"unknown config key '{key}'; known keys: {', '.join(sorted(known))}")
    values = {}
    for name, value in data.items():
        values[name] = _coerce(hints[name], value, _join(where, name))
    return cls(**values)


def _coerce(hint: Any, value: Any, where: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)  # type: ignore[arg-type]
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise ConfigError(f"config key '{where}' must be {hint.__name__}, got {value!r}")
    return value


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def apply_override(data: dict[str, Any], assignment: str) -> None:
    """Apply one `section.key=value` override; the value is parsed as YAML (so 3 is an int)."""
    if "=" not in assignment:
        raise ConfigError(f"--set expects key=value, got '{assignment}'")
    dotted, raw = assignment.split("=", 1)
    parts = [p for p in dotted.strip().split(".") if p]
    if not parts:
        raise ConfigError(f"--set expects key=value, got '{assignment}'")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            raise ConfigError(f"unknown config key '{dotted}'")
        node = child
    if parts[-1] not in node:
        raise ConfigError(f"unknown config key '{dotted}'")
    try:
        node[parts[-1]] = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        node[parts[-1]] = raw


def load_config(path: str | Path | None = None, overrides: tuple[str, ...] = ()) -> Config:
    """Defaults <- YAML file <- `--set` overrides, validated into one `Config`."""
    data = dataclasses.asdict(Config())
    config_path = Path(path) if path else DEFAULT_CONFIG
    if not config_path.is_file():
        raise ConfigError(f"config file not found: {config_path}; pass --config with a YAML file")
    try:
        loaded = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"config file {config_path} is not valid YAML{line}") from None
    merged = _deep_merge(data, loaded, "")
    for assignment in overrides:
        apply_override(merged, assignment)
    return _build(Config, merged, "")


def _deep_merge(base: dict[str, Any], update: Any, where: str) -> dict[str, Any]:
    if not isinstance(update, dict):
        raise ConfigError(f"config section '{where or 'top level'}' must be a mapping")
    out = dict(base)
    for key, value in update.items():
        if key not in base:
            known = ", ".join(sorted(base))
            raise ConfigError(f"unknown config key '{_join(where, key)}'; known keys: {known}")
        if isinstance(base[key], dict):
            out[key] = _deep_merge(base[key], value, _join(where, key))
        else:
            out[key] = value
    return out


def resolve_repo_path(value: str) -> Path:
    """Config paths are relative to the repository root unless absolute."""
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path
