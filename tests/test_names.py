from __future__ import annotations

import pytest

from schema.names import has_hanzi, pinyin_forms


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("张伟", ("Zhang Wei", "Wei Zhang")),
        ("张晓明", ("Zhang Xiaoming", "Xiaoming Zhang")),
        ("欧阳娜娜", ("Ouyang Nana", "Nana Ouyang")),
        ("王", ("Wang",)),
        ("Richard W. Wrangham", ()),
        ("李 明", ("Li Ming", "Ming Li")),
    ],
)
def test_pinyin_forms(name: str, forms: tuple[str, ...]) -> None:
    assert pinyin_forms(name) == forms


def test_has_hanzi() -> None:
    assert has_hanzi("Wei Zhang (张伟)")
    assert not has_hanzi("Wei Zhang")
