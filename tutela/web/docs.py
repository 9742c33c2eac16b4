"""The stylesheet and the interactive API docs, served by the app itself.

Clause: secure.measures. Nothing a page loads comes from another origin:
the one stylesheet (`static/tutela.css`) and Swagger UI's JavaScript and CSS
(shipped by the `fastapi-offline` package) are files of this app, so the
Content-Security-Policy names no CDN.

    GET /static/tutela.css              the stylesheet of every page
    GET /static/swagger/...             Swagger UI's files
    GET /api/docs                       Swagger UI on /openapi.json
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from tutela.web._headers import DOCS_PREFIX

STATIC = Path(__file__).resolve().parent / "static"
SWAGGER_FILES = Path(fastapi_offline.__file__).resolve().parent / "static"
SWAGGER_URL = "/static/swagger"


def install_static_and_docs(app: FastAPI) -> None:
    """Mount the stylesheet and Swagger UI's files; serve the docs page."""
    app.mount(SWAGGER_URL, StaticFiles(directory=SWAGGER_FILES), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get(DOCS_PREFIX, include_in_schema=False)
    def read_api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{SWAGGER_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_URL}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_URL}/favicon.png",
        )
