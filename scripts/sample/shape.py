"""Shape parameters and the codes every part of the generator shares.

Imitates the Hub's overall proportions: how many models declare a parent, how tree children
split between the famous base models' families and synthetic ones, how many models have a
card, and how many rows are broken in which way. Reference values (DESIGN.md, "Reference
values"): cards longer than 3 characters on 67% of models (CARD_SHARE); PARENT_SHARE = 0.30
is the scale of the 573,653 edges with the parent in the snapshot among 1,860,411 models; the
broken-row shares (CARD_BREAKS, DUPLICATE_SHARE, SELF_LOOP_SHARE, CYCLE_PAIR_SHARE and the
missing parents) add up to about 1% of N.

Also the generator's version, the smallest N it accepts and the integer codes of relations,
declaration channels, graph roles, card states, auto-generated styles and weight layouts.
This module imports nothing from the package, so every other module can import it.
"""

from __future__ import annotations

GENERATOR_VERSION = "1.0.0"
MIN_MODELS = 1000

PARENT_SHARE = 0.30  # models that declare at least one parent
FAMOUS_CHILD_SHARE = 0.40  # of tree children, those in the famous base models' families
P_TO_ROOT = 0.55  # a child hangs directly off its family root
PARENT_GAMMA = 2.5  # otherwise an earlier member, biased toward old (shallow) ones
CARD_SHARE = 0.67  # models with a card longer than 3 characters
PROSE_SHARE = 0.015  # parentless models naming a parent only in prose
NAME_SHARE = 0.01  # parentless models whose only sign of a parent is their name (X-GGUF)
COMPARE_SHARE = 0.08  # written cards that link an unrelated famous model ("compare with")
CYCLE_PAIR_SHARE = 0.0001
MISSING_FAMILY_SHARE = 0.0008  # families whose root is missing from the snapshot
# broken rows by kind, as a share of N (self-loops, 2-cycles and missing parents come from
# the graph; together about 1%)
CARD_BREAKS = {
    "bad_yaml": 0.0025,
    "bom": 0.001,
    "crlf": 0.0015,
    "empty_card": 0.0008,
    "binary_junk": 0.0005,
    "scraper_error": 0.0007,
}
DUPLICATE_SHARE = 0.001
SELF_LOOP_SHARE = 0.0003
BROKEN_KINDS = (
    *CARD_BREAKS,
    "duplicate_id",
    "self_loop",
    "cycle",
    "missing_parent",
)

RELATIONS = ("finetune", "adapter", "quantized", "merge")
FT, AD, QU, MG = range(4)
VIA = ("tag", "yaml", "both", "prose", "name")
CH_TAG, CH_YAML, CH_BOTH, CH_PROSE, CH_NAME = range(5)
UNDECLARED = (CH_PROSE, CH_NAME)  # truth edges no tag or YAML declares

# roles in the generated graph
R_FAMOUS, R_ROOT, R_CHILD, R_CHAIN, R_SELF, R_CYCLE, R_ISO, R_MISSING = range(8)
# card states: OK/BOM/CRLF carry valid YAML; the others have none a parser can read
C_NONE, C_OK, C_BOM, C_CRLF, C_BAD, C_EMPTY, C_JUNK, C_SCRAPER = range(8)
# auto-generated card styles
A_NONE, A_TRAINER, A_HUB = range(3)
# weight file layouts (siblings)
W_SAFE, W_BIN, W_BOTH, W_GGUF, W_ADAPTER, W_ADAPTER_BIN, W_DIFFUSERS, W_LORA, W_MLX = range(9)
W_SB3, W_ST = 9, 10
SAFETENSORS_LAYOUTS = frozenset({W_SAFE, W_BOTH, W_ADAPTER, W_LORA, W_DIFFUSERS, W_MLX, W_ST})
PICKLE_LAYOUTS = frozenset({W_BIN, W_BOTH, W_ADAPTER_BIN})
