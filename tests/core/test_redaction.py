"""Secrets never survive `redact`, and ordinary prose around them is left readable."""

from __future__ import annotations

import logging

from sheets_sync.redaction import RedactingFilter, redact, register_secret

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_registered_secret_is_masked_anywhere():
    """A registered value is masked even inside other text."""
    register_secret("s3cr3t-value-xyz")
    assert redact("login failed for s3cr3t-value-xyz!") == "login failed for ***!"


def test_jwt_and_bearer_header_are_masked_without_registration():
    """JWT-shaped strings and bearer credentials are caught by pattern."""
    assert JWT not in redact(f"got {JWT}")
    assert redact("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer ***"


def test_secret_query_parameters_and_json_fields_are_masked():
    """client_secret=..., "password": "..." and token=... lose their values."""
    assert redact("https://x/?client_secret=abc123&page=2") == "https://x/?client_secret=***&page=2"
    assert redact('{"password": "hunter22"}') == '{"password": "***"}'
    assert redact("token=abcdef123") == "token=***"


def test_prose_after_the_word_token_stays_readable():
    """"the token: HTTP 401" is an explanation, not a credential; "password: hunter2" still is masked."""
    text = "not authorised after renewing the token: HTTP 401 ANL_00401"
    assert redact(text) == text
    assert redact("password: hunter2") == "password: ***"
    assert redact("password:hunter") == "password:***"


def test_url_paths_ending_in_token_stay_readable():
    """A route such as oauth/token followed by prose is not mistaken for a secret."""
    text = "oauth/token: token exchange refused (ANL_00401)"
    assert redact(text) == text


def test_logging_filter_redacts_formatted_message(caplog):
    """Log records are redacted after %-formatting, so arguments cannot smuggle secrets."""
    logger = logging.getLogger("sheets_sync.test_redaction")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("header %s", f"Bearer {JWT}")
    assert JWT not in caplog.text
    assert "Bearer ***" in caplog.text
