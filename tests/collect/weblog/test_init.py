"""The public API of tutela.collect.weblog is declared once, sorted and complete."""

from __future__ import annotations

import inspect

import tutela.collect.weblog as web


def test_all_is_sorted_and_lists_every_public_name() -> None:
    assert web.__all__ == sorted(web.__all__)
    public = {
        name
        for name, value in vars(web).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    public.discard("annotations")
    assert set(web.__all__) == public
