"""Benchmark: web-log lines per second through tutela.collect.weblog vs a bare regex parse.

Policy: the website records "content viewed, date and time and IP address"
without associating it with any personally identifiable information. This
measures the cost of doing that (parse, validate, sanitize, hash, truncate)
against a plain Python parse of the same file in the same run, and prints one
JSON document. Not a test: nothing here asserts a time.

    .venv/bin/python bench/bench_weblog.py [--lines 200000] [--country]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tutela.collect.weblog import (
    MemorySaltStore,
    WebLogPipeline,
    default_country_lookup,
    no_country,
    read_log,
)

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0 Safari",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Safari/605",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) Mobile/15E148 Safari/604",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/122.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
PATHS = [
    "/",
    "/pricing",
    "/features/call-routing",
    "/blog/hosted-pbx-explained",
    "/support/faq?page=2",
    "/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=EAIaIQob",
    "/unsubscribe/someone%40example.com",
]
BARE = re.compile(
    rb'(\S+) \S+ \S+ \[([^\]]*)\] "([^"]*)" (\d{3}) (\S+) "([^"]*)" "([^"]*)"'
)


def generate(path: Path, lines: int, seed: int = 7) -> None:
    """Write a combined-format log of ``lines`` lines with fake addresses."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            if rng.random() < 0.2:
                ip = f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
            else:
                ip = f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            minute, second = divmod(i // 4 % 3600, 60)
            stamp = f"10/Mar/2024:{i // 14400 % 24:02d}:{minute:02d}:{second:02d} +0000"
            out.write(
                f'{ip} - - [{stamp}] "GET {rng.choice(PATHS)} HTTP/1.1" 200 '
                f'{rng.randrange(100, 90000)} "https://www.google.com/" '
                f'"{rng.choice(AGENTS)}"\n'
            )


def bare_parse(path: Path) -> int:
    """A plain Python baseline: one regex match per line, nothing else."""
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            if BARE.match(line) is not None:
                count += 1
    return count


def timed(fn: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000, help="lines to generate")
    parser.add_argument(
        "--country",
        action="store_true",
        help="also run with the offline country lookup",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        generate(log, args.lines)
        matched, bare_s = timed(lambda: bare_parse(log))

        def run(country: bool) -> int:
            lookup = default_country_lookup() if country else no_country
            pipeline = WebLogPipeline(MemorySaltStore(), country=lookup)
            for _ in pipeline.process(read_log(log, site="www.example.com")):
                pass
            return pipeline.counts.visits

        visits, pipe_s = timed(lambda: run(False))
        result: dict[str, object] = {
            "lines": args.lines,
            "bare_regex_matched": matched,
            "bare_regex_lines_per_s": round(args.lines / bare_s),
            "pipeline_visits": visits,
            "pipeline_lines_per_s": round(args.lines / pipe_s),
            "ratio_pipeline_to_bare": round(bare_s / pipe_s, 3),
        }
        if args.country:
            _, geo_s = timed(lambda: run(True))
            result["pipeline_with_country_lines_per_s"] = round(args.lines / geo_s)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
