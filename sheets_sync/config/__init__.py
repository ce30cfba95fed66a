"""Config: YAML loading with line numbers, strict models, validation, JSON Schema and the generated reference."""

from sheets_sync.config.loader import CheckResult, check_config_file, load_config
from sheets_sync.config.models import Config, ReportConfig
from sheets_sync.config.schema import config_json_schema, render_config_reference

__all__ = [
    "CheckResult", "Config", "ReportConfig", "check_config_file", "config_json_schema", "load_config",
    "render_config_reference",
]
