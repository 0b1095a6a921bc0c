"""Writes: one module per entity or job the ingest layer and people's commands write through."""
