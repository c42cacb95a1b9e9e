"""Attestly: an open-source, self-hosted SOC 2 compliance platform."""

from __future__ import annotations

__version__ = "0.1.0"
