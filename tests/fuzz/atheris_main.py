"""Coverage-guided fuzzing of one parser with atheris (libFuzzer), for `make fuzz`.

    python -m tests.fuzz.atheris_main TARGET --seconds N

Runs the target of `tests.fuzz.targets` for N seconds, starting from its
real inputs (copied to a scratch corpus: the samples are never written to).
A contract breach stops the run with the failing input saved as
``crash-<hash>`` in the current directory and exit status 1; a run that
found none exits 0 and prints how many inputs it tried. ``--list`` names the
targets.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--list", action="store_true", help="name the targets")
    args = parser.parse_args()
    if args.list:
        from tests.fuzz.targets import TARGETS as NAMED

        sys.stdout.write("\n".join(sorted(NAMED)) + "\n")
        return

    import atheris

    with atheris.instrument_imports(include=["tutela"]):
        from tests.fuzz.targets import TARGETS, seeds

    if args.target not in TARGETS:
        parser.error(f"unknown target; one of: {', '.join(sorted(TARGETS))}")
    target = TARGETS[args.target]
    corpus = Path(tempfile.mkdtemp(prefix=f"tutela-fuzz-{args.target}-"))
    for n, data in enumerate(seeds(args.target)):
        (corpus / f"seed-{n}").write_bytes(data)

    def one_input(data: bytes) -> None:
        target(data)

    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_total_time={args.seconds}",
            "-rss_limit_mb=4096",
            "-timeout=20",
            "-max_len=65536",
            "-print_final_stats=1",
        ],
        one_input,
    )
    atheris.Fuzz()


if __name__ == "__main__":
    main()
