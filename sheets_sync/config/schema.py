"""The config's JSON Schema (for editors) and its Markdown key reference, both generated from the models."""

from __future__ import annotations

from typing import Any

from sheets_sync.config.models import Config

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def config_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a config file."""
    schema = Config.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, **_standard_keywords(schema)}


# Constraints declared before a BeforeValidator reach the schema under pydantic's own names.
_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _standard_keywords(node: Any) -> Any:
    if isinstance(node, dict):
        return {_KEYWORDS.get(k, k) if isinstance(node.get(k), (int, float)) else k: _standard_keywords(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_standard_keywords(v) for v in node]
    return node


def render_config_reference() -> str:
    """Markdown reference of every config key."""
    from sheets_sync.config.reference import render

    return render()
