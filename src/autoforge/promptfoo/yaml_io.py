"""The one module that imports PyYAML (untyped): load and dump with the safe loader only.

promptfoo reads YAML with js-yaml, whose booleans are only true/false (YAML 1.2): a value
`yes`, `no`, `on` or `off` stays text there, so it does here too. Values must be JSON (they
become dataset items), and aliases may not blow a small text up into a huge value.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

YAMLError: type[Exception] = yaml.YAMLError


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans."""


# Dates stay text too: dataset items are JSON.
_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


# Aliases let a small text stand for a huge (or endless) value: count what it stands for.
MAX_NODES = 200_000


def load(text: str) -> Any:
    """The value of a YAML text; YAMLError when it is not YAML or stands for too much."""
    data = yaml.load(text, Loader=_Loader)
    _check_size(data)
    return data


def _check_size(data: Any) -> None:
    """Bounded, and JSON values only (no `!!binary`, `!!set`, NaN): items are stored as JSON."""
    stack, seen = [data], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise yaml.YAMLError(f"more than {MAX_NODES} values once aliases are expanded")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, float) and not math.isfinite(node):
            raise yaml.YAMLError(f"{node} is not a JSON number")
        elif node is not None and not isinstance(node, str | int | float):
            raise yaml.YAMLError(f"a {type(node).__name__} value is not JSON")


def dump(data: Any) -> str:
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
