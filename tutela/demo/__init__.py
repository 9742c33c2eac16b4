"""demo: a realistic synthetic data set, built only through the real ingest paths."""

from tutela.demo.customers import DemoSummary, build_demo, pool_number

__all__ = ["DemoSummary", "build_demo", "pool_number"]
