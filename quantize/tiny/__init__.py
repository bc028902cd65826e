"""Tiny rinna-/dolly-like checkpoints built from scratch: for tests, the demo model and benchmarks.

Nothing here is downloaded. The text is generated from word lists written for Hanashi, the
sentencepiece models are trained on it with the real models' flags, and the weights come from
transformers (random, or trained for a few steps so the model has something to say).
"""
