"""Hanashi: offline chat with Japanese LLMs running as GGUF files."""
