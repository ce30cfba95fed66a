"""Hands a message to the SMTP server: verified TLS, a timeout on everything, no password without encryption.

`security: starttls` (default) upgrades the connection with STARTTLS and refuses to go on, before any
login or message, when the server does not offer it; `ssl` speaks TLS from the first byte. Both
verify the server's certificate and host name with `ssl.create_default_context()` (the system's
authorities, or only `smtp.ca_file` when set). `none` is plain SMTP for a local relay: no login.
Debug output (`set_debuglevel`, which prints the base64 of the login) is never switched on.

Retries: a failure before the message data was sent (connection refused, a timeout while connecting)
and an explicit temporary refusal (a 4xx reply, which means the server did not take the message) are
retried; a connection lost or timed out after the data was sent leaves the outcome unknown and is
never retried, so a message is not sent twice. A refused login is never retried either.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import ssl
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from pathlib import Path

from sheets_sync.config.destinations import SmtpConfig
from sheets_sync.errors import DeliveryError
from sheets_sync.redaction import redact

logger = logging.getLogger(__name__)
ATTEMPTS = 3
BACKOFF_SECONDS = (2.0, 10.0)  # waits before the 2nd and 3rd attempt


class _Retryable(DeliveryError):
    """A failure before the message data was sent: trying again cannot send it twice."""


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificate and host name verified; `ca_file` replaces the system's authorities when given."""
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryError(f"cannot read smtp.ca_file {ca_file}: {exc}") from None


def send(message: EmailMessage, smtp: SmtpConfig, recipients: Sequence[str], *, sender: str,
         ca_file: Path | None = None, already_sent: Callable[[], bool] = lambda: False,
         sleep: Callable[[float], None] | None = None) -> bool:
    """Send `message` to `recipients`; False when `already_sent()` says a previous attempt got it through.

    Raises:
        DeliveryError: the message could not be handed over (one readable line, no secret in it).
    """
    import time

    wait = sleep or time.sleep
    context = tls_context(ca_file) if smtp.security != "none" else None
    for attempt in range(1, ATTEMPTS + 1):
        if already_sent():
            return False
        try:
            _send_once(message, smtp, recipients, sender, context)
            return True
        except _Retryable as exc:
            if attempt == ATTEMPTS:
                raise DeliveryError(exc.message) from None
            logger.warning("email attempt %d of %d failed: %s; retrying", attempt, ATTEMPTS, exc.message)
            wait(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1])
    return False  # unreachable: the last attempt returns or raises


def _where(smtp: SmtpConfig) -> str:
    return f"SMTP server {smtp.host}:{smtp.port}"


def _send_once(message: EmailMessage, smtp: SmtpConfig, recipients: Sequence[str], sender: str,
               context: ssl.SSLContext | None) -> None:
    where = _where(smtp)
    client: smtplib.SMTP | None = None
    data_sent = False
    try:
        client = _connect(smtp, context)
        if smtp.username and smtp.password is not None:
            _login(client, smtp, smtp.username, smtp.password.get_secret_value())
        refused_all = _envelope(client, sender, recipients)
        if refused_all:
            raise DeliveryError(f"{where} refused every recipient: {refused_all}")
        data_sent = True
        # CRLF line ends: smtplib sends bytes as given, and SMTP lines end in CRLF
        code, reply = client.data(message.as_bytes(policy=email.policy.SMTP))
        if code != 250:  # smtplib returns the reply to the message data instead of raising
            raise smtplib.SMTPResponseException(code, reply)
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(f"{where}: certificate not trusted ({exc.verify_message}); for a private "
                            "certificate authority set smtp.ca_file") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where} refused the login of {smtp.username!r}: {exc.smtp_code} "
                            f"{_reply(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(f"{where} does not support login (AUTH) on this connection; check smtp.security "
                            "and smtp.port") from None
    except smtplib.SMTPResponseException as exc:
        text = f"{where} answered {exc.smtp_code} {_reply(exc.smtp_error)}"
        if 400 <= exc.smtp_code < 500:  # an explicit "not now": the server did not take the message
            raise _Retryable(text) from None
        raise DeliveryError(text) from None
    except smtplib.SMTPServerDisconnected:
        text = f"{where} closed the connection"
        if data_sent:
            raise DeliveryError(f"{text} while receiving the message; it may have been delivered, so it is not "
                                "sent again") from None
        raise _Retryable(text) from None
    except TimeoutError:
        if data_sent:
            raise DeliveryError(f"{where} did not answer in {smtp.timeout_seconds:g} s after the message; it may "
                                "have been delivered, so it is not sent again") from None
        raise _Retryable(f"{where} did not answer in {smtp.timeout_seconds:g} s") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"{where}: TLS failed ({exc.reason or type(exc).__name__}); check smtp.security "
                            "and smtp.port") from None
    except OSError as exc:
        if data_sent:
            raise DeliveryError(f"{where}: {exc.strerror or type(exc).__name__} after the message was sent; it "
                                "may have been delivered, so it is not sent again") from None
        raise _Retryable(f"cannot reach {where}: {exc.strerror or type(exc).__name__}") from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


def _connect(smtp: SmtpConfig, context: ssl.SSLContext | None) -> smtplib.SMTP:
    """An open session, encrypted unless `security: none`; refuses a server that offers no STARTTLS."""
    timeout = smtp.timeout_seconds
    if smtp.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=context)
        client.ehlo()
        return client
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
    client.ehlo()
    if smtp.security == "none":
        return client
    if not client.has_extn("starttls"):
        client.close()
        raise DeliveryError(f"{_where(smtp)} does not offer STARTTLS; refusing to log in or send without "
                            "encryption (security: none is only for a trusted local relay, without a password)")
    client.starttls(context=context)
    client.ehlo()
    return client


def _login(client: smtplib.SMTP, smtp: SmtpConfig, user: str, password: str) -> None:
    """One login attempt with one mechanism (PLAIN, else LOGIN), never retried.

    smtplib's `login()` tries every mechanism in turn, so one wrong password counts as several failed
    logins against the account; and a server that drops the connection on a refusal must not be
    asked again with the same password by the retry loop.
    """
    offered = client.esmtp_features.get("auth", "").upper().split() if client.has_extn("auth") else []
    mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
    if mechanism is None:
        raise DeliveryError(f"{_where(smtp)} offers no login method sheets-sync supports (PLAIN or LOGIN); "
                            f"offered: {', '.join(offered) or 'none'}; check smtp.security and smtp.port")
    client.user, client.password = user, password
    try:
        client.auth(mechanism, client.auth_plain if mechanism == "PLAIN" else client.auth_login)
    except smtplib.SMTPAuthenticationError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{_where(smtp)}: login of {user!r} failed ({type(exc).__name__}); not retried") \
            from None
    finally:
        client.password = ""  # smtplib keeps it on the object otherwise


def _envelope(client: smtplib.SMTP, sender: str, recipients: Sequence[str]) -> str | None:
    """MAIL FROM and RCPT TO; a description of the refusals when every recipient was refused, else None."""
    code, reply = client.mail(sender)
    if code != 250:
        client.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: list[str] = []
    for recipient in recipients:
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            refused.append(f"{recipient} ({code} {_reply(reply)})")
            if 400 <= code < 500:
                client.rset()
                raise smtplib.SMTPResponseException(code, reply)  # temporary: retried as a whole
    if refused:
        logger.warning("SMTP server refused %s", "; ".join(refused))
    return "; ".join(refused) if len(refused) == len(recipients) else None


def _reply(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return redact(" ".join(text.split()))[:200]
