"""Search over the compiled records: the query syntax, the index kept at compile time, facets."""
