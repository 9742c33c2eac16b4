"""web: the FastAPI app behind `tutela serve` (public policy pages, API, console)."""

from tutela.web.app import create_app

__all__ = ["create_app"]
