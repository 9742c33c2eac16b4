"""The OpenAPI document says what each address really answers: pages answer HTML.

Clause secure.measures (the API is tested against its own schema, so the
schema must be true). FastAPI documents every route as answering JSON unless
it names another response class; the pages (everything outside ``/api/``
and the beacon's machine paths) answer HTML, and their errors are HTML
pages too (`tutela.web.errors`). This rewrites those responses of the
generated document to ``text/html``, once, when the document is first asked
for.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from fastapi import FastAPI

_HTML = {"text/html": {"schema": {"type": "string"}}}


def _is_page(path: str, machine_paths: Collection[str]) -> bool:
    return not path.startswith("/api/") and path not in machine_paths


def html_pages(
    app: FastAPI, machine_paths: Collection[str]
) -> Callable[[], dict[str, Any]]:
    """An ``openapi()`` for `app` in which pages answer ``text/html``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for path, operations in schema.get("paths", {}).items():
            if not _is_page(path, machine_paths):
                continue
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content")
                    if content is not None and "application/json" in content:
                        response["content"] = dict(_HTML)
        app.openapi_schema = schema
        return schema

    return openapi


__all__ = ["html_pages"]
