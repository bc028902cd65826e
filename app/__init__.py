"""Hanashi: offline chat with Japanese LLMs running as GGUF files."""

__version__ = "0.1.0"  # the same as pyproject.toml's version (a test checks)
