"""Readiness: which frameworks a workspace adopts, what is in scope, and how ready it is."""
