"""Where the real-world sample files written by other projects live.

They sit in the shared folder beside the repository and are read from there;
they are never copied into the repository.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "samples"
TELEPHONY = SAMPLES / "telephony"
