"""One strawberry type per file, each built from its schema model by `from_model`."""
