"""The one module that imports PyYAML (untyped): load and dump with the safe loader only."""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped]

YAMLError: type[Exception] = yaml.YAMLError


def load(text: str) -> Any:
    return yaml.safe_load(text)


def dump(data: Any) -> str:
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
