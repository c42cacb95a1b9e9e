"""Attestly's own integrations, one package each (`attestly.integrations` entry points)."""
