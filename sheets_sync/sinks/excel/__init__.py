"""Excel sink: fills user-designed templates by OOXML surgery, or writes clean styled workbooks.

See docs/excel-templates.md for the template contract. `ExcelSink` (sinks/excel/sink.py) is the
sink-interface adapter the orchestrator reaches through the registry; `write_workbook` the writer.
"""

from sheets_sync.sinks.excel.inspection import inspect_template, template_problems, unfilled_template_parts
from sheets_sync.sinks.excel.model import ExcelTab, TemplateInfo, TemplateTable, WorkbookResult
from sheets_sync.sinks.excel.writer import check_template, write_workbook

__all__ = [
    "ExcelTab",
    "TemplateInfo",
    "TemplateTable",
    "WorkbookResult",
    "check_template",
    "inspect_template",
    "template_problems",
    "unfilled_template_parts",
    "write_workbook",
]
