"""Liveness probe."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health() -> dict[str, bool]:
    return {"ok": True}
