"""Integrations: declarations, discovery, connections, collection. See `integrations.base`."""
