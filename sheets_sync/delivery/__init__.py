"""Delivery after a run: the workbook email of a destination (`workbook_email`) and failure alerts (`alerts`).

Message building (`message`, `digest`) is pure; `smtp` is the only module that talks to a server and
`sent_log` the only one that keeps state. Delivery reads the config, the report model and what the
sinks wrote; it never talks to the Reporting API.
"""
