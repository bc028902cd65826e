"""Hanashi's converter: Hugging Face safetensors checkpoints → faithful, quantized GGUF files."""
