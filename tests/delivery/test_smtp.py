"""Sending to real SMTP servers on loopback: verified TLS, no login without encryption, retries that never duplicate."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from sheets_sync.config.destinations import SmtpConfig
from sheets_sync.delivery.message import Envelope, base_message
from sheets_sync.delivery.smtp import send
from sheets_sync.errors import DeliveryError
from sheets_sync.redaction import register_secret

from .smtp_servers import PASSWORD, USER

TO = ["team@example.com"]


def smtp_config(port: int, security: str = "starttls", *, ca_file: Path | None = None, password: str | None = PASSWORD,
                username: str | None = USER) -> SmtpConfig:
    values: dict[str, object] = {"host": "127.0.0.1", "port": port, "security": security, "timeout_seconds": 10}
    if username is not None:
        values["username"] = username
    if password is not None:
        values["password"] = password
    if ca_file is not None:
        values["ca_file"] = str(ca_file)
    return SmtpConfig.model_validate(values)


def message(ident: str = "<run.dest@example.com>"):
    return base_message(Envelope(USER, tuple(TO), (), "Report", ident, dt.datetime.now(dt.UTC)), "body")


def no_sleep(seconds: float) -> None:
    pass


def test_starttls_with_the_configured_ca_logs_in_and_delivers_encrypted(smtp_server, certificate):
    """STARTTLS against a self-signed server whose certificate is configured as smtp.ca_file: sent over TLS."""
    server = smtp_server("starttls")
    assert send(message(), smtp_config(server.port, ca_file=certificate[0]), TO, sender=USER, ca_file=certificate[0])
    assert server.recorder.logins == [(USER, PASSWORD)]
    [received] = server.recorder.messages
    assert received.tls and received.recipients == TO
    assert received.message["Message-ID"] == "<run.dest@example.com>"


def test_a_self_signed_server_is_refused_unless_its_ca_is_configured(smtp_server):
    """Without smtp.ca_file the system's authorities are used: the self-signed certificate is refused, no login."""
    server = smtp_server("starttls")
    with pytest.raises(DeliveryError, match=r"certificate not trusted .*set smtp\.ca_file"):
        send(message(), smtp_config(server.port), TO, sender=USER, sleep=no_sleep)
    assert server.recorder.logins == [] and server.recorder.messages == []


def test_implicit_tls_verifies_the_certificate_too(smtp_server, certificate):
    """security: ssl speaks TLS from the first byte, trusted through smtp.ca_file; refused without it."""
    server = smtp_server("ssl")
    with pytest.raises(DeliveryError, match="certificate not trusted"):
        send(message(), smtp_config(server.port, "ssl"), TO, sender=USER, sleep=no_sleep)
    assert server.recorder.logins == []
    assert send(message(), smtp_config(server.port, "ssl"), TO, sender=USER, ca_file=certificate[0])
    assert [m.tls for m in server.recorder.messages] == [True]


def test_a_server_without_starttls_gets_no_login_and_no_message(smtp_server):
    """A server that offers no STARTTLS (but would take a login in the clear) is refused before AUTH or MAIL."""
    server = smtp_server("plain")
    with pytest.raises(DeliveryError, match="does not offer STARTTLS; refusing to log in or send"):
        send(message(), smtp_config(server.port), TO, sender=USER, sleep=no_sleep)
    assert server.recorder.logins == [] and server.recorder.messages == []


def test_security_none_sends_in_the_clear_without_login(smtp_server):
    """security: none is plain SMTP to a local relay: the message goes, no login is attempted."""
    server = smtp_server("plain")
    assert send(message(), smtp_config(server.port, "none", password=None), TO, sender=USER)
    assert server.recorder.logins == []
    assert [m.tls for m in server.recorder.messages] == [False]


def test_a_refused_login_names_the_user_but_never_the_password(smtp_server, certificate, caplog):
    """A wrong password fails with the server's reply and the user name; the password is in no error or log line."""
    wrong = "Wr0ng-pass-9931"
    register_secret(wrong)
    server = smtp_server("starttls")
    with caplog.at_level(logging.DEBUG), pytest.raises(DeliveryError) as caught:
        send(message(), smtp_config(server.port, ca_file=certificate[0], password=wrong), TO, sender=USER,
             ca_file=certificate[0], sleep=no_sleep)
    assert "refused the login of 'robot@example.com'" in caught.value.message
    assert wrong not in str(caught.value) and wrong not in caplog.text
    assert server.recorder.messages == []


def test_a_temporary_refusal_is_retried_and_one_message_arrives(smtp_server, certificate):
    """A 451 to the message is retried; the server ends up with exactly one copy."""
    server = smtp_server("starttls")
    server.recorder.fail_data = 1
    waits: list[float] = []
    assert send(message(), smtp_config(server.port, ca_file=certificate[0]), TO, sender=USER,
                ca_file=certificate[0], sleep=waits.append)
    assert len(server.recorder.messages) == 1 and len(waits) == 1


def test_a_connection_lost_after_the_message_is_not_retried(smtp_server, certificate):
    """The server stored the message but the reply never came: the outcome is unknown, so no second copy is sent."""
    server = smtp_server("starttls")
    server.recorder.drop_after_data = 1
    with pytest.raises(DeliveryError, match="may have been delivered, so it is not sent again"):
        send(message(), smtp_config(server.port, ca_file=certificate[0]), TO, sender=USER,
             ca_file=certificate[0], sleep=no_sleep)
    assert len(server.recorder.messages) == 1


def test_a_send_already_recorded_is_not_attempted_again(smtp_server, certificate):
    """When the sent log already holds the message, send() returns False and the server sees nothing."""
    server = smtp_server("starttls")
    assert not send(message(), smtp_config(server.port, ca_file=certificate[0]), TO, sender=USER,
                    ca_file=certificate[0], already_sent=lambda: True)
    assert server.recorder.messages == [] and server.recorder.logins == []


def test_an_unreachable_server_fails_after_its_attempts_with_one_line(certificate):
    """Nothing listens: three attempts, then one readable error naming the server."""
    from .smtp_servers import free_port

    port = free_port()
    waits: list[float] = []
    with pytest.raises(DeliveryError, match=rf"cannot reach SMTP server 127\.0\.0\.1:{port}"):
        send(message(), smtp_config(port, ca_file=certificate[0]), TO, sender=USER, ca_file=certificate[0],
             sleep=waits.append)
    assert waits == [2.0, 10.0]
