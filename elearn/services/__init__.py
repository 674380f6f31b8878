"""The only layer that queries and commits: fetch rows, call a pure rule, persist."""
