"""ROR: the institution registry's dumps (schema v1 and v2)."""
