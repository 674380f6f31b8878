"""Uploaded files: images opened safely and re-encoded, and uploads kept pending between preview and apply."""
