"""Markdown -> model. Pure: text in, model out; problems are returned as values."""
