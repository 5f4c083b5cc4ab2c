"""Goodword: a self-hosted word-of-mouth engine for online stores."""

__version__ = "0.1.0"
