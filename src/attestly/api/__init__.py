"""The REST API root: authentication, errors, pagination, filtering and the schema."""
