"""The landing-contract page documents every entity and column the code accepts."""

from __future__ import annotations

import re
from pathlib import Path

from ingestion.contract import ENTITIES

DOC = Path(__file__).resolve().parents[2] / "docs" / "landing-contract.md"


def test_every_entity_and_column_is_documented_with_its_type() -> None:
    text = DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"### `(\w+)`\n(.*?)(?=\n### |\Z)", text, flags=re.S))
    assert set(sections) == set(ENTITIES)
    for name, entity in ENTITIES.items():
        rows = dict(re.findall(r"^\| `(\w+)` \| (\w+) \|", sections[name], flags=re.M))
        assert rows == {c.name: c.type for c in entity.columns}, name
