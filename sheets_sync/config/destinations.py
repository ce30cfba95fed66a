"""Config models of destinations (Excel workbook, CSV file, Google Sheets spreadsheet) and their email."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from sheets_sync.config.fields import FilePath, Flag, Name, Number, Secret, StrictModel, Text, WholeNumber
from sheets_sync.config.ranges import ScheduleSpec

# Deliberately simple: catches typos (missing @, spaces, no dot in the domain) without rejecting
# unusual but valid addresses; the SMTP server has the last word.
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")
_SHEETS_URL = re.compile(r"https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_SHEETS_KEY = re.compile(r"[A-Za-z0-9_-]{10,}")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value.strip()):
        raise PydanticCustomError("email", '"{value}" is not an email address', {"value": value})
    return value.strip()


EmailAddress = Annotated[Text, AfterValidator(_email)]


class SmtpConfig(StrictModel):
    """The SMTP server that sends the email; the password must come from the environment."""

    host: Annotated[Name, Field(description="SMTP server host name.")]
    port: Annotated[WholeNumber, Field(ge=1, le=65535, description="587 for STARTTLS, 465 for SSL.")] = 587
    username: Annotated[Text | None, Field(description="Login name; also the default sender.")] = None
    password: Annotated[Secret | None, Field(description="Login password; write ${VARIABLE}.")] = None
    security: Annotated[Literal["starttls", "ssl", "none"],
                        Field(description="starttls (port 587), ssl (port 465) or none (local relays only; "
                                          "no login, no encryption).")] = "starttls"
    ca_file: Annotated[FilePath | None, Field(description="PEM file of the certificate authority to trust instead "
                                                          "of the system's (a private or self-signed server); "
                                                          "relative to the config file.")] = None
    timeout_seconds: Annotated[Number, Field(gt=0, le=600, description="Timeout of every SMTP connection and "
                                                                       "reply.")] = 30.0


class EmailConfig(StrictModel):
    """Send the finished workbook by email after each run of the destination."""

    sender: Annotated[EmailAddress | None, Field(alias="from", description="Sender; default: smtp.username.")] = None
    to: Annotated[list[EmailAddress], Field(min_length=1, description="Recipients.")]
    cc: Annotated[
        list[EmailAddress], Field(description="Copy recipients.")
    ] = []  # noqa: RUF012 - pydantic copies the default per instance
    subject: Annotated[Name, Field(description="Subject; placeholders as in output, e.g. {end_date:%B %Y}.")]
    send_when: Annotated[Literal["always", "has_rows", "changed"],
                         Field(description="always, has_rows (some report has rows) or changed "
                                           "(data differs from the last sent workbook).")] = "always"
    smtp: Annotated[SmtpConfig, Field(description="The SMTP server.")]


class AlertsConfig(StrictModel):
    """Who hears about it when a scheduled run fails, and again when it recovers."""

    sender: Annotated[EmailAddress | None, Field(alias="from", description="Sender; default: smtp.username.")] = None
    to: Annotated[list[EmailAddress], Field(min_length=1, description="Recipients.")]
    cc: Annotated[
        list[EmailAddress], Field(description="Copy recipients.")
    ] = []  # noqa: RUF012 - pydantic copies the default per instance
    subject_prefix: Annotated[Text, Field(description="Starts the subject of every alert.")] = "[sheets-sync]"
    smtp: Annotated[SmtpConfig, Field(description="The SMTP server.")]


class ExcelDestinationConfig(StrictModel):
    """An .xlsx workbook, filled from a template or made clean and styled, optionally emailed."""

    type: Literal["excel"]
    template: Annotated[FilePath | None, Field(description="Template workbook (relative to the config file).")] = None
    output: Annotated[Name, Field(description="Output file template, e.g. reports/influence-{end_date:%Y-%m}.xlsx.")]
    email: Annotated[EmailConfig | None, Field(description="Email the workbook after each run.")] = None
    schedule: Annotated[ScheduleSpec | None, Field(description="Run all reports of this destination together.")] = None


class CsvDestinationConfig(StrictModel):
    """One CSV file per report (UTF-8), for pipelines and debugging."""

    type: Literal["csv"]
    output: Annotated[Name, Field(description="Output file template, e.g. reports/{report}.csv.")]
    escape_formulas: Annotated[Flag, Field(description="Prefix ' to text starting with = + - @ (for spreadsheet "
                                                       "users opening the file).")] = False
    bom: Annotated[Flag | None, Field(description="Start the file with a UTF-8 byte-order mark so Excel reads emoji "
                                                  "and non-Latin text right; default: on when escape_formulas is "
                                                  "on.")] = None
    schedule: Annotated[ScheduleSpec | None, Field(description="Run all reports of this destination together.")] = None

    @property
    def writes_bom(self) -> bool:
        """Whether the file starts with a byte-order mark: `bom` as written, else files meant for spreadsheet
        users (escape_formulas on) get one and files for pipelines do not."""
        return self.escape_formulas if self.bom is None else self.bom


class GoogleSheetsDestinationConfig(StrictModel):
    """A Google Sheets spreadsheet; each report refreshes one tab."""

    type: Literal["google_sheets"]
    spreadsheet: Annotated[Name, Field(description="Spreadsheet key or full URL.")]
    credentials: Annotated[FilePath | None, Field(description="Service-account JSON file; omitted: Application "
                                                          "Default Credentials (none needed when "
                                                          "SHEETS_EMULATOR_HOST is set).")] = None
    schedule: Annotated[ScheduleSpec | None, Field(description="Run all reports of this destination together.")] = None

    @property
    def spreadsheet_key(self) -> str:
        """The key whether `spreadsheet` holds a key or a full URL."""
        match = _SHEETS_URL.match(self.spreadsheet)
        return match.group(1) if match else self.spreadsheet


def check_spreadsheet(value: str) -> str | None:
    """Why `value` is neither a spreadsheet key nor a spreadsheet URL, or None."""
    if _SHEETS_URL.match(value) or _SHEETS_KEY.fullmatch(value):
        return None
    return "expected a spreadsheet key or a https://docs.google.com/spreadsheets/d/... URL"


Destination = Annotated[ExcelDestinationConfig | CsvDestinationConfig | GoogleSheetsDestinationConfig,
                        Field(discriminator="type")]
DESTINATION_TYPES: dict[str, type[StrictModel]] = {"excel": ExcelDestinationConfig, "csv": CsvDestinationConfig,
                     "google_sheets": GoogleSheetsDestinationConfig}
DESTINATION_KEYS = frozenset(k for m in DESTINATION_TYPES.values() for k in m.model_fields) | {"tab", "table"}
