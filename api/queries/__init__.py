"""Root query fields, one module per family; `api/schema.py` merges their classes into `Query`."""
