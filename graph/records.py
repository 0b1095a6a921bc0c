"""Node properties back into domain models."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def to_model(model: type[M], props: dict[str, Any] | None) -> M | None:
    """The model for a node's properties, ignoring properties the model does not declare (other
    jobs may add their own to the same node)."""
    if props is None:
        return None
    fields = _field_names(model)
    return model.model_validate({key: value for key, value in props.items() if key in fields})


@cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    # `model.model_fields` is a property that builds its answer at every access (pydantic 2.11+).
    return frozenset(model.model_fields)
