"""Tutela: the privacy policy of a hosted business-phone provider, made executable."""

__version__ = "0.1.0"

__all__ = ["__version__"]
