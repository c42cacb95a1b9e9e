"""The evidence ledger: immutable, hashed, chained and signed evidence items."""
