"""web: the FastAPI app behind `tutela serve` (public policy pages, API, console)."""

from tutela.web.app import create_app
from tutela.web.server import server_config

__all__ = [
    "create_app",
    "server_config",
]
