"""The catalogue: schema, loaders, vector index, hybrid search."""
