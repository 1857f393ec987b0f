"""A real SMTP server on loopback for the stock alert tests (aiosmtpd, in a thread of the test
process): it keeps every message it accepts, the logins it was sent, and can refuse the next
messages with a temporary error (451) as a busy server would."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # A long subject is folded onto a second line, whose leading space the parser keeps.
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        return self.message.get_content()


@dataclass
class SmtpServer:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    refuse_next: int = 0  # messages to answer with 451 before accepting again
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, _server, _session, envelope) -> str:
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          message_from_bytes(envelope.content, policy=policy.default)))
        return "250 2.0.0 Accepted"

    def authenticate(self, _server, _session, _envelope, _mechanism, data) -> AuthResult:
        if isinstance(data, LoginPassword):
            self.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=True)

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> tuple[SmtpServer, Controller]:
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port, authenticator=server.authenticate,
                            auth_require_tls=False, ready_timeout=60)
    controller.start()
    return server, controller
