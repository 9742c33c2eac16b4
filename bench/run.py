"""Run every benchmark in bench/ and print one JSON document of their results.

Each `bench_*.py` prints one JSON document on stdout; this runner collects
them under the script's name. Benchmarks compare against a baseline measured
in the same run, never against a fixed time.

    .venv/bin/python bench/run.py [NAME ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    results: dict[str, object] = {}
    failed = False
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            cwd=HERE.parent,
        )
        elapsed = round(time.perf_counter() - started, 2)
        if proc.returncode != 0:
            failed = True
            results[name] = {
                "error": proc.stderr.strip().splitlines()[-5:],
                "seconds": elapsed,
            }
            continue
        try:
            results[name] = json.loads(proc.stdout)
        except json.JSONDecodeError:
            failed = True
            results[name] = {
                "error": "did not print one JSON document",
                "seconds": elapsed,
            }
        print(f"bench {name}: {elapsed}s", file=sys.stderr)
    print(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
