"""Hostile inputs for every entry point: each must end in a clear error or a safe default."""
