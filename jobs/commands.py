"""`pedigree`: one command for every job, as other data tools have.

    pedigree run --input data/sample/card-dataset --format card-dataset \\
        --output output --snapshot 2026-11-01
    pedigree lookup meta-llama/Llama-2-7b-hf --output output --snapshot 2026-11-01

Each subcommand is the same code as `python -m <module>` (and, for the Spark jobs,
`spark-submit jobs/<stage>.py`): the rest of the command line goes to that module's
`main` unchanged, so flags, help and exit codes are the module's own.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Sequence

from jobs.cli import pedigree_version

# subcommand -> (module whose main() runs it, what it does)
COMMANDS = {
    "run": ("jobs.pipeline", "every stage in one Spark application, ending with the report"),
    "ingest": ("jobs.ingest", "parse and sketch cards and Hub metadata into models, signatures"),
    "lineage": ("jobs.lineage", "edges, nodes and families per graph view (GraphFrames)"),
    "similarity": ("jobs.similarity", "resemblance pairs, template clusters"),
    "drift": ("jobs.drift", "mutation rates, transitions, orderings, license conflicts"),
    "audit": ("jobs.audit", "missing attributes, model-index claims, weight-format risk"),
    "diff": ("jobs.diff", "what changed between two snapshots"),
    "report": ("jobs.report", "the HTML report and summary.json of one snapshot"),
    "lookup": ("jobs.lookup", "one model: ancestors, descendants, family, conflicts"),
    "sample": ("scripts.generate_sample", "generate a Hub-shaped sample with its truth"),
    "fetch": ("scripts.fetch_hub", "fetch a model listing and READMEs from a Hub"),
}

USAGE = f"""usage: pedigree COMMAND [ARGS...]   (pedigree COMMAND --help for its flags)

Family trees, inheritance and drift of the Hugging Face model ecosystem, on Spark.

commands:
{chr(10).join(f"  {name:<11} {what}" for name, (_, what) in COMMANDS.items())}

example:
  pedigree sample --models 20000 --seed 7 --output data/sample
  pedigree run --input data/sample/card-dataset --format card-dataset \\
      --output output --snapshot 2026-11-01
  pedigree lookup <model id> --output output --snapshot 2026-11-01
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch `pedigree COMMAND ARGS...` to the command's module."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0 if args else 2
    if args[0] == "--version":
        print(f"pedigree {pedigree_version()}")
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        near = difflib.get_close_matches(command, list(COMMANDS), n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        print(
            f"pedigree: error: unknown command '{command}'{hint} (pedigree --help)", file=sys.stderr
        )
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
