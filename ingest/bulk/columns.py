"""The columns of each CSV file the bulk load writes, taken from the domain models, and their
values in the form `neo4j-admin database import` reads (its header types: `long`, `double`,
`boolean`, `string`, and arrays of them as `long[]`, ...).

The values are those the Bolt path stores (graph/write/work.py): the same `model_dump(mode=
"json")` or `node_rows` output, written in another encoding."""

from __future__ import annotations

import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from ingest.errors import RecordError

# Between the elements of an array value; no OpenAlex string holds it (checked on writing).
ARRAY_DELIMITER = "\x1f"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # a neo4j-admin header type: string, long, double, boolean, or one of them + []

    @property
    def header(self) -> str:
        return f"{self.name}:{self.kind}"


def _kind(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kind(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        present = [a for a in get_args(annotation) if a is not type(None)]
        return _kind(present[0])
    if origin is tuple:
        return _kind(get_args(annotation)[0]) + "[]"
    if annotation is bool:
        return "boolean"
    if isinstance(annotation, type) and issubclass(annotation, int):
        return "long"
    if annotation is float:
        return "double"
    return "string"


def model_columns(model: type[BaseModel], *, skip: Sequence[str] = ()) -> tuple[Column, ...]:
    """One column per field of the model, computed fields (which `model_dump` stores too)
    included, in the model's order."""
    fields = [(name, info.annotation) for name, info in model.model_fields.items()]
    fields += [(name, info.return_type) for name, info in model.model_computed_fields.items()]
    return tuple(Column(name, _kind(kind)) for name, kind in fields if name not in skip)


def encode(value: Any, kind: str) -> str | None:
    """A stored value as its CSV field; None (an empty field: no property) for None and for
    an empty list (neo4j-admin cannot write an empty array; graph.write.bulk fills them)."""
    if value is None or value == []:
        return None
    if kind.endswith("[]"):
        items = [_scalar(item, kind[:-2]) for item in value]
        for item in items:
            if ARRAY_DELIMITER in item:
                raise RecordError(f"a list value holds the array delimiter U+001F: {item!r}")
        return ARRAY_DELIMITER.join(items)
    return _scalar(value, kind)


def _scalar(value: Any, kind: str) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    if kind == "long":
        return str(int(value))
    return str(value)


# Per column tuple (the tables' constants): each column's place and type, by name.
_LAYOUTS: dict[int, dict[str, tuple[int, str]]] = {}


def row(values: dict[str, Any], columns: tuple[Column, ...]) -> list[str | None]:
    """The fields of one row; a value without a column is a programming error (a model
    changed and the files would lose a property), never silently dropped."""
    layout = _LAYOUTS.get(id(columns))
    if layout is None:
        layout = _LAYOUTS[id(columns)] = {c.name: (i, c.kind) for i, c in enumerate(columns)}
    fields: list[str | None] = [None] * len(columns)
    for name, value in values.items():
        spot = layout.get(name)
        if spot is None:
            raise ValueError(f"no column for {name!r} (columns: {[c.name for c in columns]})")
        fields[spot[0]] = encode(value, spot[1])
    return fields
