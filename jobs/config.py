"""One typed configuration object for every job, loaded from YAML and CLI overrides.

Unknown keys are errors: a misspelt option must fail the run, not be ignored. So are
values out of range: a bad value must stop the run here, not inside Spark hours later.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "conf" / "pedigree.yaml"

LOG4J_LEVELS = ("OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL")
COMPONENTS_ALGORITHMS = ("randomized_contraction", "graphframes", "graphx")
MAX_SEED = 2**32 - 1  # datasketch's MinHash accepts seeds in [0, 2**32)


class ConfigError(ValueError):
    """A configuration problem a user can fix; the message is one line."""


def _require(ok: bool, key: str, rule: str, value: Any) -> None:
    if not ok:
        raise ConfigError(f"config key '{key}' must be {rule}, got {value!r}")


def _require_at_least(section: Any, where: str, low: float, *names: str) -> None:
    """Counts and sizes below `low` mean nothing (a negative one would slice from the end)."""
    for name in names:
        value = getattr(section, name)
        _require(value >= low, f"{where}.{name}", f"at least {low}", value)


def _require_text(section: Any, where: str, *names: str) -> None:
    for name in names:
        value = getattr(section, name)
        _require(bool(value.strip()), f"{where}.{name}", "non-empty text", value)


def _require_one_of(value: str, key: str, choices: tuple[str, ...]) -> None:
    _require(value in choices, key, f"one of {', '.join(choices)}", value)


def _require_seed(value: int, key: str) -> None:
    _require(0 <= value <= MAX_SEED, key, f"in [0, {MAX_SEED}]", value)


@dataclass(frozen=True)
class SparkConfig:
    master: str = "local[2]"
    app_name: str = "pedigree"
    defaults_file: str = "conf/spark-defaults.local.conf"
    checkpoint_dir: str = "_checkpoints"
    jar_cache: str = ".cache/jars"
    log_level: str = "ERROR"
    rows_per_shuffle_partition: int = 50_000

    def __post_init__(self) -> None:
        _require_text(
            self, "spark", "master", "app_name", "defaults_file", "checkpoint_dir", "jar_cache"
        )
        _require_one_of(self.log_level.upper(), "spark.log_level", LOG4J_LEVELS)
        _require_at_least(self, "spark", 0, "rows_per_shuffle_partition")


@dataclass(frozen=True)
class IngestConfig:
    arrow_batch_rows: int = 2000
    max_card_chars: int = 200_000
    min_partitions: int = 0

    def __post_init__(self) -> None:
        _require_at_least(self, "ingest", 1, "arrow_batch_rows", "max_card_chars")
        _require_at_least(self, "ingest", 0, "min_partitions")


@dataclass(frozen=True)
class LineageConfig:
    components_algorithm: str = "graphx"
    components_broadcast_threshold: int = -1
    graphx_max_iter: int = 64
    max_depth_rounds: int = 200
    scc_max_iter: int = 100
    top_families_logged: int = 10

    def __post_init__(self) -> None:
        _require_one_of(
            self.components_algorithm, "lineage.components_algorithm", COMPONENTS_ALGORITHMS
        )
        _require_at_least(self, "lineage", -1, "components_broadcast_threshold")
        _require_at_least(self, "lineage", 1, "graphx_max_iter", "max_depth_rounds", "scc_max_iter")
        _require_at_least(self, "lineage", 0, "top_families_logged")


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
            _require(0.0 <= weight < 1.0, f"inference.{kind}", "in [0, 1)", weight)
        _require(0.0 < self.threshold <= 1.0, "inference.threshold", "in (0, 1]", self.threshold)
        jaccard = self.near_duplicate_jaccard
        _require(0.0 < jaccard <= 1.0, "inference.near_duplicate_jaccard", "in (0, 1]", jaccard)
        _require_at_least(
            self, "inference", 0, "near_duplicate_download_ratio", "min_name_downloads"
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

    def __post_init__(self) -> None:
        _require_at_least(
            self,
            "similarity",
            1,
            "shingle_size",
            "num_perm",
            "max_bucket",
            "sibling_pairs_per_parent",
            "same_family_pairs_per_family",
            "random_pairs",
            "bootstrap_samples",
        )
        _require_seed(self.seed, "similarity.seed")
        _require_seed(self.pair_seed, "similarity.pair_seed")
        threshold = self.lsh_threshold
        _require(0.0 < threshold < 1.0, "similarity.lsh_threshold", "in (0, 1)", threshold)


@dataclass(frozen=True)
class DriftConfig:
    top_n: int = 20

    def __post_init__(self) -> None:
        _require_at_least(self, "drift", 1, "top_n")


@dataclass(frozen=True)
class AuditConfig:
    derived_name_pattern: str = (
        r"(?i)(fine-?tun|finetune|[-_]ft\b|lora|peft|adapter|gguf|gptq|awq|exl2|"
        r"quantiz|[-_]merge|dpo|sft|distill)"
    )

    def __post_init__(self) -> None:
        _require_text(self, "audit", "derived_name_pattern")


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

    def __post_init__(self) -> None:
        _require_at_least(self, "report", 1, *(f.name for f in dataclasses.fields(self)))


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


class ConfigLoader(yaml.SafeLoader):
    """SafeLoader that reads plain values as YAML 1.2 does: only true/false are booleans,
    numbers are decimal and nothing is a date, so `log_level: off`, `app_name: 2026-11-01`
    and `top_n: 020` mean what they say (YAML 1.1 reads False, a date and octal 16)."""


_YAML11_TAGS = {f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float", "timestamp")}
ConfigLoader.yaml_implicit_resolvers = {  # SafeLoader's, less YAML 1.1's; 1.2's added below
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML11_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$", re.IGNORECASE), list("tTfF")
)
ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+(?:_[0-9]+)*$"), list("-+0123456789")
)
ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)
        |[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.VERBOSE,
    ),
    list("-+.0123456789"),
)


def _construct_decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """Base 10 always: SafeLoader would read `020` as octal 16."""
    text = loader.construct_scalar(node)
    try:
        return int(text, 10)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a decimal integer", node.start_mark
        ) from None


ConfigLoader.add_constructor("tag:yaml.org,2002:int", _construct_decimal_int)


def _build(cls: type, data: Any, where: str) -> Any:
    """Build dataclass `cls` from a mapping, rejecting unknown keys and wrong types."""
    if not isinstance(data, dict):
        raise ConfigError(f"config section '{where or 'top level'}' must be a mapping")
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(data) - set(hints))
    if unknown:
        raise ConfigError(_unknown_key_message(_join(where, unknown[0]), where, hints))
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
        scalar = not isinstance(value, (dict, list))
        quote = " (put it in quotes)" if hint is str and scalar else ""
        raise ConfigError(f"config key '{where}' must be {hint.__name__}{quote}, got {value!r}")
    if hint is float and not math.isfinite(value):
        raise ConfigError(f"config key '{where}' must be a finite number, got {value!r}")
    return value


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _unknown_key_message(key: str, where: str, known: typing.Iterable[str]) -> str:
    listed = ", ".join(sorted(known))
    return f"unknown config key '{key}'; " + (
        f"known keys in {where}: {listed}" if where else f"known sections: {listed}"
    )


def parse_override(hint: Any, text: str, key: str) -> Any:
    """The value of `--set key=text` read as the type of its key, so `off` stays text for
    a text key and `020` is twenty for a number. Text may be quoted, as in the YAML file
    (`audit.derived_name_pattern="[-_]ft"`); spaces around a value are not part of it.

    >>> parse_override(str, " off ", "spark.log_level"), parse_override(str, "'[x]'", "k")
    ('off', '[x]')
    """
    text = text.strip()
    if hint is str:
        if text[:1] in ("'", '"'):
            try:
                quoted = yaml.load(text, Loader=ConfigLoader)
            except yaml.YAMLError:
                raise ConfigError(f"config key '{key}' has unbalanced quotes: {text!r}") from None
            if isinstance(quoted, str):
                return quoted
        return text
    if hint is int:
        try:
            return int(text, 10)
        except ValueError:
            raise ConfigError(f"config key '{key}' must be int, got {text!r}") from None
    if hint is float:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"config key '{key}' must be float, got {text!r}") from None
    raise ConfigError(f"config key '{key}' of type {hint} cannot be set with --set")


def _override_type(dotted: str) -> Any:
    """The type of config key `dotted`, or a ConfigError listing what exists instead."""
    owner: Any = Config
    where = ""
    for name in dotted.split("."):
        if not dataclasses.is_dataclass(owner):
            raise ConfigError(f"unknown config key '{dotted}': '{where}' has no keys inside")
        hints = typing.get_type_hints(owner)
        if name not in hints:
            raise ConfigError(_unknown_key_message(dotted, where, hints))
        owner, where = hints[name], _join(where, name)
    if dataclasses.is_dataclass(owner):
        keys = ", ".join(f.name for f in dataclasses.fields(owner))
        raise ConfigError(f"'{dotted}' is a section, not a key; known keys in {dotted}: {keys}")
    return owner


def apply_override(data: dict[str, Any], assignment: str) -> None:
    """Apply one `section.key=value` override, the value read as the type of its key."""
    dotted, equals, text = assignment.partition("=")
    dotted = dotted.strip()
    if not equals or not dotted:
        raise ConfigError(f"--set expects key=value, got '{assignment}'")
    value = parse_override(_override_type(dotted), text, dotted)
    *sections, name = dotted.split(".")
    node = data
    for section in sections:
        node = node[section]
    node[name] = value


def load_config(path: str | Path | None = None, overrides: tuple[str, ...] = ()) -> Config:
    """Defaults <- YAML file <- `--set` overrides, validated into one `Config`."""
    data = dataclasses.asdict(Config())
    config_path = Path(path) if path else DEFAULT_CONFIG
    if not config_path.is_file():
        raise ConfigError(f"config file not found: {config_path}; pass --config with a YAML file")
    merged = _deep_merge(data, _read_yaml(config_path), "")
    for assignment in overrides:
        apply_override(merged, assignment)
    return _build(Config, merged, "")


def _read_yaml(path: Path) -> Any:
    """The config file's data ({} when empty); a repeated key is an error, since YAML would
    silently keep only the last one (a second `spark:` block drops the first)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text; save it as UTF-8") from None
    except OSError as err:
        raise ConfigError(f"cannot read config file {path}: {err.strerror}") from None
    try:
        loader = ConfigLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}
            _reject_repeated_keys(node, "", path, checked=set())
            return loader.construct_document(node) or {}
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"config file {path} is not valid YAML{line}") from None


def _reject_repeated_keys(node: yaml.Node, where: str, path: Path, checked: set[int]) -> None:
    """`checked` holds the mappings already walked, so an alias of its own parent ends."""
    if not isinstance(node, yaml.MappingNode) or id(node) in checked:
        return
    checked.add(id(node))
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
            continue
        key = _join(where, key_node.value)
        if key_node.value in seen:
            line = key_node.start_mark.line + 1
            raise ConfigError(f"config file {path} sets '{key}' twice (line {line}); keep one")
        seen.add(key_node.value)
        _reject_repeated_keys(value_node, key, path, checked)


def _deep_merge(base: dict[str, Any], update: Any, where: str) -> dict[str, Any]:
    if not isinstance(update, dict):
        raise ConfigError(f"config section '{where or 'top level'}' must be a mapping")
    out = dict(base)
    for key, value in update.items():
        if key not in base:
            raise ConfigError(_unknown_key_message(_join(where, key), where, base))
        if isinstance(base[key], dict):
            out[key] = _deep_merge(base[key], value, _join(where, key))
        else:
            out[key] = value
    return out


def resolve_repo_path(value: str) -> Path:
    """Config paths are relative to the repository root unless absolute."""
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path
