"""Node properties back into domain models."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def to_model(model: type[M], props: dict[str, Any] | None) -> M | None:
    """The model for a node's properties, ignoring properties the model does not declare (other
    jobs may add their own to the same node)."""
    if props is None:
        return None
    known = {key: value for key, value in props.items() if key in model.model_fields}
    return model.model_validate(known)
