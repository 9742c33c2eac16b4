"""Load a policy file, and say exactly where it is wrong when it is.

Errors name the file, the line, the path inside the document
(`meaning.categories[3].retention.rule`) and the reason, so whoever edits the
policy can fix it without reading code.

The shipped policy (`tutela/policy/shipped/jive-2018.yaml`) is package data,
found through `importlib.resources`, so an installed wheel enforces it without
a source checkout; `TUTELA_POLICY_FILE` points at another file on disk.
"""

from __future__ import annotations

import atexit
from collections.abc import Sequence
from contextlib import ExitStack
from functools import lru_cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import ValidationError

from tutela.errors import PolicyInvalid
from tutela.policy.model import Loc, Policy, _dotted

MAX_POLICY_BYTES = 2 * 1024 * 1024
# Deeper than any policy needs; the YAML composer recurses once per level.
MAX_POLICY_DEPTH = 64
SHIPPED_POLICY_NAME = "jive-2018.yaml"


def _shipped_policy() -> Path:
    """The shipped policy as a file on disk, wherever the package is installed."""
    resource = files("tutela.policy").joinpath("shipped", SHIPPED_POLICY_NAME)
    if isinstance(resource, Path):
        return resource
    # Imported from a zip archive: extract the file once, for the process's life
    # (the store re-reads it by path when it changes).
    stack = ExitStack()
    atexit.register(stack.close)
    return stack.enter_context(as_file(resource))


DEFAULT_POLICY = _shipped_policy()


def load_policy(path: Path | str) -> Policy:
    """Read and validate the policy at `path`; raise `PolicyInvalid` if it is wrong."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyInvalid(
            f"cannot read the policy file: {exc.strerror}", file=name
        ) from exc
    return parse_policy(raw, source=name)


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int) -> Policy:
    return load_policy(path)


def load_policy_cached(path: Path | str) -> Policy:
    """Like `load_policy`, re-reading only when the file changed."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        return load_policy(p)
    return _cached(str(p), mtime)


def parse_policy(raw: bytes | str, *, source: str = "<policy>") -> Policy:
    """Validate policy text; every problem is listed in the error's `errors`."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_POLICY_BYTES:
            raise PolicyInvalid(
                f"policy file is larger than {MAX_POLICY_BYTES} bytes", file=source
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PolicyInvalid(
                f"policy file is not UTF-8 (byte {exc.start})", file=source
            ) from exc
    else:
        text = raw
    try:
        _check_shape(text, source)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except (ValueError, OverflowError) as exc:
        # A scalar YAML reads but Python cannot hold: a date like 2024-02-30,
        # an integer of thousands of digits.
        raise PolicyInvalid(
            f"not valid YAML: a value cannot be read ({type(exc).__name__})",
            file=source,
        ) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise PolicyInvalid(
            f"not valid YAML: {exc.problem or exc.context}", file=source, line=line
        ) from exc
    except yaml.YAMLError as exc:
        raise PolicyInvalid(f"not valid YAML: {exc}", file=source) from exc
    if not isinstance(data, dict):
        raise PolicyInvalid(
            "a policy must be a YAML mapping at the top level", file=source
        )
    references: list[tuple[Loc, str]] = []
    try:
        policy = Policy.model_validate(data, context={"reference_problems": references})
    except ValidationError as exc:
        problems = [
            (_clean_loc(e["loc"]), str(e["msg"])) for e in exc.errors(include_url=False)
        ]
        _raise_problems(problems, node, source, cause=exc)
    if references:
        _raise_problems(references, node, source)
    return policy


def _check_shape(text: str, source: str) -> None:
    """Refuse what a policy never needs and a hostile file uses: aliases (an
    alias bomb expands to billions of nodes) and nesting deeper than
    `MAX_POLICY_DEPTH` (the composer would exhaust the stack)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise PolicyInvalid(
                "YAML aliases (*name) are not allowed in a policy; write the value out",
                file=source,
                line=line,
            )
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_POLICY_DEPTH:
                raise PolicyInvalid(
                    f"nested more than {MAX_POLICY_DEPTH} levels deep",
                    file=source,
                    line=line,
                )
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1


def _raise_problems(
    problems: Sequence[tuple[Sequence[str | int], str]],
    node: yaml.Node | None,
    source: str,
    cause: Exception | None = None,
) -> NoReturn:
    messages = []
    first_line: int | None = None
    first = ""
    for loc, msg in problems:
        line = _line_of(node, loc)
        path = _dotted(loc) or "<document>"
        if first_line is None:
            first_line, first = line, f"{path}: {msg}"
        where = f"{source}:{line}" if line else source
        messages.append(f"{where}: {path}: {msg}")
    summary = f"{first} ({len(messages)} problem(s) in the policy)"
    raise PolicyInvalid(
        summary, file=source, line=first_line, errors=messages
    ) from cause


def _clean_loc(loc: Sequence[Any]) -> list[str | int]:
    """Drop pydantic's union-branch names (e.g. 'ParagraphBlock') from a location."""
    cleaned: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part[:1].isupper() or "[" in part):
            continue
        cleaned.append(part)
    return cleaned


def _line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest YAML node that `loc` reaches."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
