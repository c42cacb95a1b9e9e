"""Frameworks: criteria, points of focus and the catalog data they are loaded from."""
