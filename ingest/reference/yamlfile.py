"""The curated YAML files (industry chains, region profiles): reading them, and problems that
name the file, the line and the entry, so that a person can fix the file from the message alone.

Every problem in a file is collected before anything is written; `Problems.raise_if_any` turns
them into one `InvalidInputError` listing them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ingest.errors import InvalidInputError

# A path into the document: mapping keys and list indexes, e.g. ("industries", 2, "name_zh").
Loc = tuple[str | int, ...]


def where(loc: Sequence[str | int]) -> str:
    """`industries[2].segments[0].name_zh` for ("industries", 2, "segments", 0, "name_zh")."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "the document"


@dataclass(frozen=True)
class YamlDocument:
    path: Path
    data: Any
    root: yaml.Node | None

    def line(self, loc: Sequence[str | int]) -> int | None:
        """The 1-based line of the deepest part of `loc` present in the file (a mapping entry's
        key line, a list item's first line)."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            found = _child(node, part)
            if found is None:
                break
            node, line = found
        return line

    def duplicate_keys(self) -> Iterator[tuple[Loc, str]]:
        """Keys given twice in one mapping (YAML loaders silently keep the last value)."""
        yield from _duplicates(self.root, ())


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node, int] | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return value, key.start_mark.line + 1
    in_range = isinstance(part, int) and 0 <= part < len(getattr(node, "value", ()))
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and in_range:
        item = node.value[part]
        return item, item.start_mark.line + 1
    return None


def _duplicates(node: yaml.Node | None, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is None:
                continue
            if name in seen:
                yield loc, name
            seen.add(name)
            yield from _duplicates(value, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicates(item, (*loc, index))


def read_yaml(path: Path) -> YamlDocument:
    """Parse `path`; a missing file or a YAML syntax error is an `InvalidInputError` naming the
    file (and the line, for syntax errors)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InvalidInputError(f"{path}: no such file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"{path}: cannot be read ({e})") from e
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        reason = getattr(e, "problem", None) or str(e)
        raise InvalidInputError(f"{path}{at}: not valid YAML ({reason})") from e
    return YamlDocument(path=path, data=data, root=root)


@dataclass
class Problems:
    """The problems found in one document, each as `file:line: entry: message`."""

    document: YamlDocument
    found: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for loc, key in self.document.duplicate_keys():
            self.add(loc, f"key {key!r} is given twice")

    def add(
        self,
        loc: Sequence[str | int],
        message: str,
        *,
        entry: str | None = None,
        line_of: Sequence[str | int] | None = None,
    ) -> None:
        """One problem in the entry at `loc` (named by its id `entry`, if any), with the line of
        `line_of` (default: of `loc`)."""
        line = self.document.line(loc if line_of is None else line_of)
        at = f"{self.document.path}:{line}" if line is not None else str(self.document.path)
        named = f" ({entry})" if entry else ""
        self.found.append(f"{at}: {where(loc)}{named}: {message}")

    def add_validation(
        self, loc: Sequence[str | int], error: ValidationError, *, entry: str | None = None
    ) -> None:
        """Each error of a model built from the entry at `loc`, placed at the offending key."""
        for detail in error.errors():
            # Model fields are the entry's keys and list positions, so the error's location
            # continues the entry's; derived fields (absent from the file) fall back to it.
            field_loc = tuple(part for part in detail["loc"] if isinstance(part, str | int))
            message = str(detail["msg"]).removeprefix("Value error, ")
            label = where(field_loc) if field_loc else ""
            self.add(
                loc,
                f"{label}: {message}" if label else message,
                entry=entry,
                line_of=(*loc, *field_loc),
            )

    def mapping(self, value: Any, loc: Sequence[str | int], *, entry: str | None = None) -> bool:
        """Whether `value` is a mapping; if not, a problem saying what was expected."""
        if isinstance(value, dict):
            return True
        self.add(loc, f"expected a mapping of keys to values, found {_kind(value)}", entry=entry)
        return False

    def sequence(self, value: Any, loc: Sequence[str | int], *, entry: str | None = None) -> bool:
        """Whether `value` is a list; if not, a problem saying what was expected."""
        if isinstance(value, list):
            return True
        self.add(loc, f"expected a list, found {_kind(value)}", entry=entry)
        return False

    def given(
        self,
        value: Mapping[Any, Any],
        loc: Sequence[str | int],
        derived: Mapping[str, str],
        *,
        entry: str | None = None,
    ) -> bool:
        """Whether `value` gives keys the loader sets itself (`derived`: each key and why the
        file cannot set it); a problem for each."""
        found = [key for key in derived if key in value]
        for key in found:
            self.add(
                loc,
                f"{key} is not given in the file: {derived[key]}",
                entry=entry,
                line_of=(*loc, key),
            )
        return bool(found)

    def raise_if_any(self) -> None:
        if not self.found:
            return
        listed = "\n".join(f"  {problem}" for problem in self.found[:50])
        more = f"\n  ... and {len(self.found) - 50} more" if len(self.found) > 50 else ""
        raise InvalidInputError(
            f"{self.document.path}: {len(self.found)} problem(s); nothing was written:\n"
            f"{listed}{more}"
        )


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


def entry_id(value: Any) -> str | None:
    """The `id` an entry gives itself, for naming it in messages (even when it is invalid)."""
    if isinstance(value, dict) and isinstance(value.get("id"), str | int):
        return str(value["id"])
    return None
