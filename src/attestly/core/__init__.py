"""Core: workspaces, memberships and roles, the audit log, and workspace scoping."""
