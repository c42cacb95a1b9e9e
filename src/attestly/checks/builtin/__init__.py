"""Attestly's built-in generic checks, one folder per check (`<id>/<id>.yaml` + code or rule).

Declared in pyproject.toml as the entry point `builtin` of the group `attestly.checks`, the
same way an integration declares its checks.
"""
