"""The domain as pydantic v2 models shared by every layer. No I/O here."""
