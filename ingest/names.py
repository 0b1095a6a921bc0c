"""Person-name normalisation for the ingest jobs. The helpers are pure and shared with the API's
search (which may not import ingest/), so they live in `schema/names.py`; this module keeps the
name ingest code has always imported."""

from __future__ import annotations

from schema.names import COMPOUND_SURNAMES, has_hanzi, pinyin_forms

__all__ = ["COMPOUND_SURNAMES", "has_hanzi", "pinyin_forms"]
