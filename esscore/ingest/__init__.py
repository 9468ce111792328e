"""Ingestion of every source into the DuckDB store (one module per source)."""
