"""The one module that imports PyYAML (untyped): load and dump with the safe loader only.

promptfoo reads YAML with js-yaml, whose booleans are only true/false (YAML 1.2): a value
`yes`, `no`, `on` or `off` stays text there, so it does here too.
"""

from __future__ import annotations

import re
from typing import Any

import yaml  # type: ignore[import-untyped]

YAMLError: type[Exception] = yaml.YAMLError


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader with YAML 1.2 booleans."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def dump(data: Any) -> str:
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
