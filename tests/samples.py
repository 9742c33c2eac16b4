"""Where the real-world sample files written by other projects live.

They sit in the shared folder beside the repository and are read from there;
they are never copied into the repository. A clone made elsewhere (a fresh
checkout in a temporary directory, say) finds them beside the repository it
was cloned from; a linked worktree (`git worktree add`) beside its main
checkout.
"""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _origin_directory() -> Path | None:
    """The local repository this one was cloned from, if it was one."""
    try:
        url = subprocess.run(
            ["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return None
    url = url.removeprefix("file://")
    if not url or "://" in url or not Path(url).is_dir():
        return None
    return Path(url).resolve()


def _main_worktree() -> Path | None:
    """The main checkout, when this one is a linked worktree (`git worktree add`)."""
    try:
        common = subprocess.run(
            [
                "git",
                "-C",
                str(REPO),
                "rev-parse",
                "--path-format=absolute",
                "--git-common-dir",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return None
    if not common or not Path(common).is_dir():
        return None
    return Path(common).resolve().parent


def _shared() -> Path:
    beside = REPO.parent / "shared"
    if beside.is_dir():
        return beside
    origin = _origin_directory()
    if origin is not None and (origin.parent / "shared").is_dir():
        return origin.parent / "shared"
    main = _main_worktree()
    if main is not None and (main.parent / "shared").is_dir():
        return main.parent / "shared"
    return beside  # missing: the tests that read samples fail and say where


SHARED = _shared()
SAMPLES = SHARED / "samples"
TELEPHONY = SAMPLES / "telephony"
