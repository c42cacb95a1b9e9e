"""Workspace controls: what an organisation does, adopted from the library or its own."""
