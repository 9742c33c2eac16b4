"""Build the FastAPI application; one place registers every router and error handler.

Errors: `tutela.web.errors` answers each kind; `tutela.web.guard.ResponseGuard`,
the outermost middleware, gives every request its id and turns an
exception nobody handled into a 503 (busy database) or a 500 that shows
the id. Handlers run in `WEB_THREADS` worker threads, as many as the web
store has pooled connections (`tutela.web._webstore.engine_options`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from tutela import __version__
from tutela.config import Settings, load_settings
from tutela.web._openapi import html_pages
from tutela.web._webstore import WEB_THREADS
from tutela.web.docs import install_static_and_docs
from tutela.web.errors import MACHINE_PATHS, install_error_handlers
from tutela.web.guard import ResponseGuard
from tutela.web.routes import auth as auth_routes
from tutela.web.routes import collect as collect_routes
from tutela.web.routes import console as console_routes
from tutela.web.routes import (
    console_case_actions,
    console_cases,
    console_oversight,
    console_users,
    health,
    policy,
    portal_password,
    rights_links,
)
from tutela.web.routes import inbox as inbox_routes
from tutela.web.routes import portal as portal_routes
from tutela.web.routes import sar as sar_routes
from tutela.web.routes import subscriptions as subscription_routes
from tutela.web.routes import web_report as web_report_routes
from tutela.web.throttle import RequestLimit

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # A handler thread never waits on the pool: one connection per thread.
    anyio.to_thread.current_default_thread_limiter().total_tokens = WEB_THREADS
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="Tutela",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings or load_settings()
    app.state.sar_limit = RequestLimit(app.state.settings.sar_requests_per_hour)
    app.include_router(policy.router)
    app.include_router(health.router)
    app.include_router(collect_routes.router)
    app.include_router(web_report_routes.router)
    app.include_router(sar_routes.router)
    app.include_router(subscription_routes.router)
    app.include_router(rights_links.router)
    app.include_router(portal_password.router)
    app.include_router(auth_routes.router)
    app.include_router(portal_routes.router)
    app.include_router(console_routes.router)
    app.include_router(console_cases.router)
    app.include_router(console_case_actions.router)
    app.include_router(console_oversight.router)
    app.include_router(console_users.router)
    app.include_router(inbox_routes.router)
    install_static_and_docs(app)
    app.add_middleware(ResponseGuard)

    install_error_handlers(app)
    app.openapi = html_pages(app, MACHINE_PATHS)  # type: ignore[method-assign]
    return app
