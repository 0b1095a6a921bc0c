"""The ingest layer's exceptions."""

from __future__ import annotations


class IngestError(Exception):
    """Root of every error the ingest layer raises."""


class RecordError(IngestError):
    """One record cannot be used; the message says why (the caller adds file and line)."""


class InvalidInputError(IngestError):
    """An input file holds records that cannot be used; nothing from it was written."""
