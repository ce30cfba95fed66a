"""The JSON Schema (for editors) and the generated Markdown reference stay true to the models."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from sheets_sync.config import config_json_schema, render_config_reference
from tests.config.samples import FIXTURES

REFERENCE = Path(__file__).resolve().parents[2] / "sheets_sync" / "config" / "reference.md"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    """A Draft 2020-12 validator for the config schema."""
    return jsonschema.Draft202012Validator(config_json_schema())


def test_schema_is_valid_draft_2020_12(validator):
    """The schema passes the 2020-12 metaschema and declares its dialect."""
    schema = config_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_design_example_validates_against_the_schema(validator):
    """The full example config, read as plain YAML, satisfies the schema an editor would use."""
    document = yaml.safe_load((FIXTURES / "full.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(document)) == []


def test_schema_rejects_unknown_keys_and_values(validator):
    """Editors flag a misspelt key and an unknown platform, as `validate` does."""
    document = yaml.safe_load((FIXTURES / "full.yaml").read_text(encoding="utf-8"))
    document["reports"][0]["metric"] = ["reach"]
    document["reports"][0]["filters"]["platform"] = ["myspace"]
    found = sorted((error.json_path, error.message) for error in validator.iter_errors(document))
    assert found == [
        ("$.reports[0]", "Additional properties are not allowed ('metric' was unexpected)"),
        ("$.reports[0].filters.platform", "['myspace'] is not valid under any of the given schemas"),
    ]


def test_schema_accepts_the_short_forms(validator):
    """A single platform, a single destination name and a column given as text are valid, as in `validate`."""
    document = yaml.safe_load((FIXTURES / "full.yaml").read_text(encoding="utf-8"))
    document["reports"][0]["filters"]["platform"] = "tiktok"
    document["reports"][0]["destination"] = "team_sheet"
    document["reports"][0]["columns"] = ["campaignName"]
    assert list(validator.iter_errors(document)) == []


def test_schema_uses_standard_bound_keywords():
    """page_size bounds appear as minimum/maximum, which editors understand."""
    page_size = config_json_schema()["$defs"]["ApiConfig"]["properties"]["page_size"]
    assert (page_size["minimum"], page_size["maximum"]) == (1, 100) and "ge" not in page_size


def test_reference_file_is_current():
    """sheets_sync/config/reference.md is exactly what render_config_reference() produces today."""
    assert REFERENCE.read_text(encoding="utf-8") == render_config_reference() + "\n", (
        "regenerate: python -c 'from sheets_sync.config import render_config_reference as r; print(r())' "
        "> sheets_sync/config/reference.md")


def test_reference_documents_every_key():
    """Every key of every model appears in the reference."""
    from sheets_sync.config.reference import SECTIONS

    text = render_config_reference()
    definitions = config_json_schema()["$defs"]
    for _heading, name, _intro in SECTIONS[1:]:
        for key in definitions[name]["properties"]:
            assert f"| `{key}` |" in text, (name, key)
