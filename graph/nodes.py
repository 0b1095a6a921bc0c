"""Node properties as read queries return them, and back into domain models.

A node another record only names can lack values its model requires: an institution that a
ROR relationship or an OpenAlex lineage names before its own record is loaded is a stub with
its id alone. Reads give such an institution its id as name (`institution_props`), and a node
that still does not fit its model is left out of a list rather than failing the request
(`model_or_none`), since one odd node must not hide its neighbours.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

log = logging.getLogger("talentmap.graph")


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


def institution_props(var: str) -> str:
    """Cypher: the properties of institution `var`, with a name even for a stub."""
    return (
        f"{var} {{.*, name: coalesce({var}.name, {var}.ror_name, {var}.openalex_name, {var}.id)}}"
    )


def model_or_none(model: type[M], props: dict[str, Any] | None) -> M | None:
    """`to_model`, or None (logged) for a node that does not fit the model."""
    try:
        return to_model(model, props)
    except ValidationError as e:
        log.warning("%s %s does not fit its model: %s", model.__name__, (props or {}).get("id"), e)
        return None


def by_ids_query(label: str, var: str, projection: str) -> str:
    """Cypher: for each of `$ids` (as `key`), the node of `label` with that id projected by
    `projection` (over `var`), or null: what a DataLoader's batch reads."""
    return f"""
UNWIND $ids AS key
OPTIONAL MATCH ({var}:{label} {{id: key}})
RETURN key, CASE WHEN {var} IS NULL THEN null ELSE {projection} END AS {var}
"""
