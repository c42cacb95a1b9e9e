"""A sample integration that uses every extension point; installed by tests only."""
