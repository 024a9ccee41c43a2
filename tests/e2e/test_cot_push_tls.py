"""`deconflict cot serve --push tls://…`: the picture pushed to a TAK server over TLS with a
client certificate, as TAK Server's port 8089 asks — to a stand-in that requires a certificate
signed by its CA (Python's ssl, certificates made here with `cryptography`). A certificate from
another CA is refused by the server and nothing is delivered; a server certificate for another
name is refused unless the hostname check is turned off; bad credentials are named at start."""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from .service import CLI, free_port
from .test_cot_stream import HIDDEN, seeded

__all__ = ["seeded"]  # the seed's store, a fixture of test_cot_stream.py

PICTURE = b"deconflict.notice.ru-strike-0916.1"
PASSWORD = "atak"


@dataclass
class Issued:
    cert: Path
    key: Path


class Authority:
    """A certificate authority of the test's own."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            self._builder(self.subject, self.subject, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = folder / f"{name}.pem"
        self.pem.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    @staticmethod
    def _builder(
        subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey
    ) -> x509.CertificateBuilder:
        now = datetime.now(UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
        )

    def issue(
        self, name: str, hosts: list[x509.GeneralName] | None = None
    ) -> tuple[Issued, ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = self._builder(subject, self.subject, key.public_key()).add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        )
        if hosts:
            builder = builder.add_extension(x509.SubjectAlternativeName(hosts), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        issued = Issued(self.folder / f"{name}.pem", self.folder / f"{name}.key")
        issued.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        issued.key.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return issued, key, cert


@dataclass
class Pki:
    ca: Authority
    server: Issued  # for 127.0.0.1 and localhost
    server_elsewhere: Issued  # for takserver.example only
    client: Issued
    client_p12: Path
    rogue: Issued  # a client certificate of another authority


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca = Authority(folder, "tak-ca")
    server, _, _ = ca.issue(
        "takserver", [x509.IPAddress(IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
    )
    elsewhere, _, _ = ca.issue("takserver-elsewhere", [x509.DNSName("takserver.example")])
    client, key, cert = ca.issue("deconflict-russia")
    p12 = folder / "deconflict-russia.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"deconflict-russia",
            key,
            cert,
            [ca.cert],
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    rogue, _, _ = Authority(folder, "rogue-ca").issue("deconflict-rogue")
    return Pki(ca, server, elsewhere, client, p12, rogue)


@dataclass
class TlsTakServer:
    """A TAK server's TLS input: it asks every client for a certificate signed by its CA and
    keeps what each sends, with the name on the client's certificate."""

    pki: Pki
    identity: Issued
    port: int = field(default_factory=free_port)
    received: dict[str, bytes] = field(default_factory=dict)
    connections: list[asyncio.StreamWriter] = field(default_factory=list)

    async def start(self) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.identity.cert, self.identity.key)
        context.load_verify_locations(self.pki.ca.pem)
        context.verify_mode = ssl.CERT_REQUIRED
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, ssl=context)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.append(writer)
        peer = writer.get_extra_info("peercert")
        name = dict(x[0] for x in peer["subject"])["commonName"]
        while chunk := await reader.read(65536):
            self.received[name] = self.received.get(name, b"") + chunk

    async def until(self, what: bytes, timeout: float = 20.0) -> str:
        """The name of the client that sent ``what``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, data in self.received.items():
                if what in data:
                    return name
            await asyncio.sleep(0.1)
        raise AssertionError(f"nothing with {what!r} in {list(self.received)}")


def _serve(db: Path, *push: str, password: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if password is not None:
        env["DECONFLICT_TAK_PASSWORD"] = password
    args = ["cot", "serve", "--party", "russia", "--port", str(free_port()), "--db", str(db)]
    return subprocess.Popen(
        [*CLI, *args, "--clock-file", str(db.parent / "clock"), "--poll", "0.2", *push],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        _, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate(timeout=15)
    return err


@pytest.fixture(scope="module")
def db(seeded: Path) -> Path:
    (seeded.parent / "clock").write_text("2017-09-16T09:00:00+00:00")
    return seeded


def _pushed(
    db: Path,
    pki: Pki,
    identity: Issued,
    *push: str,
    password: str | None = None,
    drop: bool = False,
) -> tuple[TlsTakServer, str]:
    """Run `cot serve` pushing to a TLS TAK server until the picture arrives (or 12 s have
    passed) — with ``drop``, until it arrives again after the server dropped the connection:
    the server, and what the process logged."""

    async def scenario() -> tuple[TlsTakServer, str]:
        server = TlsTakServer(pki, identity)
        await server.start()
        process = _serve(db, "--push", f"tls://127.0.0.1:{server.port}", *push, password=password)
        try:
            with contextlib.suppress(AssertionError):
                await server.until(PICTURE, timeout=12.0)
                if drop:
                    server.connections[0].close()
                    server.received.clear()
                    await server.until(PICTURE, timeout=12.0)
        finally:
            err = _stop(process)
            server.server.close()
        return server, err

    return asyncio.run(scenario())


def _pem(pki: Pki, client: Issued) -> list[str]:
    """The options of a push with a PEM client certificate, trusting the test's CA."""
    return [
        "--push-cert",
        str(client.cert),
        "--push-key",
        str(client.key),
        "--push-ca",
        str(pki.ca.pem),
    ]


def test_the_picture_is_pushed_over_tls_with_a_pem_client_certificate(pki: Pki, db: Path) -> None:
    server, err = _pushed(db, pki, pki.server, *_pem(pki, pki.client))
    assert PICTURE in server.received.get("deconflict-russia", b""), err
    assert HIDDEN.encode() not in server.received["deconflict-russia"]
    assert "Traceback" not in err, err


def test_a_dropped_connection_is_noticed_and_the_picture_pushed_again(pki: Pki, db: Path) -> None:
    server, err = _pushed(db, pki, pki.server, *_pem(pki, pki.client), drop=True)
    assert len(server.connections) == 2, err
    assert PICTURE in server.received.get("deconflict-russia", b""), err
    assert "the TAK server closed the connection" in err, err


def test_a_p12_from_the_tak_server_with_its_password_pushes_too(pki: Pki, db: Path) -> None:
    server, err = _pushed(
        db,
        pki,
        pki.server,
        "--push-cert",
        str(pki.client_p12),
        "--push-ca",
        str(pki.ca.pem),
        password=PASSWORD,
    )
    assert PICTURE in server.received.get("deconflict-russia", b""), err


def test_a_server_certificate_for_another_name_needs_the_hostname_check_off(
    pki: Pki, db: Path
) -> None:
    common = _pem(pki, pki.client)
    refused, err = _pushed(db, pki, pki.server_elsewhere, *common)
    assert refused.received == {}
    assert "Could not verify TLS Certificate" in err, err
    accepted, err = _pushed(db, pki, pki.server_elsewhere, *common, "--push-no-hostname-check")
    assert PICTURE in accepted.received.get("deconflict-russia", b""), err


def test_a_client_certificate_of_another_authority_delivers_nothing(pki: Pki, db: Path) -> None:
    server, err = _pushed(db, pki, pki.server, *_pem(pki, pki.rogue))
    assert server.received == {}
    assert f"pushing to tls://127.0.0.1:{server.port} failed" in err, err  # and tried again
    assert "Traceback" not in err, err


@pytest.mark.parametrize(
    ("args", "password", "said"),
    [
        (["--push", "tls://127.0.0.1:8089"], None, "needs the client's certificate"),
        (["--push", "udp://127.0.0.1:8087"], None, "tcp://host:port or tls://host:port"),
        (["--push", "tcp://127.0.0.1:8087", "--push-cert", "{p12}"], None, "are for tls://"),
        (["--push-cert", "{p12}"], None, "go with --push"),
        (["--push", "tls://127.0.0.1:8089", "--push-cert", "{pem}"], None, "private key"),
        (["--push", "tls://127.0.0.1:8089", "--push-cert", "{p12}"], "wrong", "cannot use"),
        (["--push", "tls://127.0.0.1:8089", "--push-cert", "/nowhere.p12"], None, "no such file"),
    ],
)
def test_bad_push_settings_are_named_before_serving(
    pki: Pki, db: Path, args: list[str], password: str | None, said: str
) -> None:
    filled = [a.format(p12=pki.client_p12, pem=pki.client.cert) for a in args]
    process = _serve(db, *filled, password=password)
    try:
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2, err
    assert said in err and "Traceback" not in err, err
