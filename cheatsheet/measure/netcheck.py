"""Verify a networked image against local peers on a private Docker network with no route out.

:class:`TestNetwork` creates, for one measurement run, an ``--internal`` Docker network and two
peers built here from ``programs/testpeers`` (nothing is pulled): an HTTPS server whose certificate
chains to a test CA generated for the run, and a DNS server that answers for the made-up name
``upstream.test``. :meth:`TestNetwork.check` starts the image under test on that network with the
DNS peer given by ``--dns`` and the test CA supplied the way its trust-root feature expects (the
stack's own convention, see ``programs/webserver/README.md``); a client container then asks it
for ``/health``, ``/resolve`` and ``/proxy/...``, and the outcome of each is recorded with the
exact error the program reported.

All traffic stays between containers on the private network: nothing goes to the internet or to
the host. Containers and the network are labelled and always removed (:mod:`cheatsheet.containers`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..util import useful_line
from .containers import RunResources, logs, state
from .docker import DockerError

UPSTREAM_NAME = "upstream.test"
UPSTREAM_PORT = 8443
SERVER_PORT = 8080
CERTS_IN_CONTAINER = "/run/cheatsheet"
CA_IN_CONTAINER = f"{CERTS_IN_CONTAINER}/ca.pem"
READY_TIMEOUT = 20.0
REQUEST_TIMEOUT = 60.0
PROXY_PATH = "/proxy/hello"
# How each trust-root feature is handed the test CA: the stack's own convention.
CA_ENV = {"compiled-in": "EXTRA_ROOTS_FILE", "system": "SSL_CERT_FILE"}


class NetCheckError(Exception):
    """The test network or a peer could not be set up; the message is one line."""


@dataclass(frozen=True)
class CheckResult:
    starts: str  # "yes" | "no"
    health: str  # "yes" | "no" | "" (not reached because it did not start)
    resolves: str
    proxies: str
    trust_anchors: int | None
    anchors_from: str
    startup: str  # the start-up line the program printed
    failure: str  # the first failure, exactly as the program or the runtime reported it
    body: str = ""  # the proxied page's body, whitespace folded

    @property
    def ok(self) -> bool:
        return self.starts == self.health == self.resolves == self.proxies == "yes"


def parse_startup(line: str) -> dict[str, str]:
    """``webserver tls=X roots=Y anchors=N roots_from=P resolver=R listen=A`` as a dict."""
    fields: dict[str, str] = {}
    for word in line.split()[1:]:
        key, sep, value = word.partition("=")
        if sep:
            fields[key] = value
    return fields


def wait_for_line(container: str, prefix: str, timeout: float) -> tuple[str, str]:
    """(the first stdout line starting with ``prefix``, "") or ("", why the container did not print it)."""
    deadline = time.monotonic() + timeout
    while True:
        out, err = logs(container)
        for line in out.splitlines():
            if line.startswith(prefix):
                return line.strip(), ""
        status, code = state(container)
        if status in ("exited", "dead", "missing"):
            lines = [ln.strip() for ln in (err + "\n" + out).splitlines() if ln.strip()]
            return "", f"exited with status {code}: {lines[-1] if lines else '(no output)'}"
        if time.monotonic() > deadline:
            return "", f"printed no `{prefix.strip()}` line within {timeout:.0f} s"
        time.sleep(0.1)


class TestNetwork:
    """A private network with the DNS and HTTPS peers; use as a context manager."""

    __test__ = False  # not a pytest test class

    def __init__(self, peers_image: str, log: Callable[[str], None] = print):
        self.peers_image = peers_image
        self.res = RunResources("cheatsheet-netcheck", log)
        self.network = ""
        self.dns_ip = ""
        self.certs = ""  # a named volume: ca.pem, leaf.pem, leaf.key

    def __enter__(self) -> TestNetwork:
        self.res.__enter__()
        try:
            self.network = self.res.network()
            self.certs = self.res.volume("certs")
            certs = self.res.run(
                self.peers_image,
                ["certs", "--out", CERTS_IN_CONTAINER, "--name", UPSTREAM_NAME],
                options=["--network", "none", "--volume", f"{self.certs}:{CERTS_IN_CONTAINER}"],
            )
            if certs.returncode != 0:
                raise NetCheckError(
                    f"generating the test CA failed: {useful_line(certs.stderr or certs.stdout, 'docker:')}"
                )
            https = self.res.start(
                "https",
                self.peers_image,
                [
                    "https",
                    "--listen",
                    f"0.0.0.0:{UPSTREAM_PORT}",
                    "--cert",
                    f"{CERTS_IN_CONTAINER}/leaf.pem",
                    "--key",
                    f"{CERTS_IN_CONTAINER}/leaf.key",
                    "--name",
                    UPSTREAM_NAME,
                ],
                options=["--network", self.network, "--volume", f"{self.certs}:{CERTS_IN_CONTAINER}:ro"],
            )
            self._ready(https, "https")
            dns = self.res.start(
                "dns",
                self.peers_image,
                ["dns", "--listen", "0.0.0.0:53", "--answer", f"{UPSTREAM_NAME}={self.res.address(https)}"],
                options=["--network", self.network],
            )
            self._ready(dns, "dns")
            self.dns_ip = self.res.address(dns)
        except DockerError as exc:
            self.close()
            raise NetCheckError(str(exc)) from None
        except BaseException:
            self.close()
            raise
        return self

    def _ready(self, container: str, peer: str) -> None:
        line, why = wait_for_line(container, "ready", READY_TIMEOUT)
        if not line:
            raise NetCheckError(f"the {peer} peer did not start: {why}")

    def close(self) -> None:
        self.res.close()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one image under test ----------------------------------------------------------------
    @contextlib.contextmanager
    def _server(self, image: str, roots: str, *, with_ca: bool = True, extra: Sequence[str] = ()) -> Iterator[str]:
        options = [
            *extra,
            "--network",
            self.network,
            "--dns",
            self.dns_ip,
            "--env",
            f"UPSTREAM_URL=https://{UPSTREAM_NAME}:{UPSTREAM_PORT}",
            "--env",
            f"LISTEN=0.0.0.0:{SERVER_PORT}",
            "--volume",
            f"{self.certs}:{CERTS_IN_CONTAINER}:ro",
        ]
        if roots in CA_ENV and with_ca:
            options += ["--env", f"{CA_ENV[roots]}={CA_IN_CONTAINER}"]
        name = self.res.start("server" if with_ca else "probe", image, options=options)
        try:
            yield name
        finally:
            self.res.remove(name)

    def get(self, url: str) -> tuple[int, str]:
        """(HTTP status, body) from a client container on the network; status 0 and why if no response."""
        proc = self.res.run(
            self.peers_image,
            ["get", url, "--timeout", "30"],
            options=["--network", self.network],
            timeout=REQUEST_TIMEOUT,
        )
        first, _, body = proc.stdout.partition("\n")
        code = first.strip().removeprefix("status=")
        if proc.returncode != 0 and not code.isdigit():
            lines = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines() if ln.strip()]
            return 0, lines[-1] if lines else f"exit status {proc.returncode}"
        if not code.isdigit():
            return 0, f"the client printed no status line: {first[:80]!r}"
        return int(code), " ".join(body.split())

    def image_store_anchors(self, image: str, options: Sequence[str] = ()) -> tuple[int | None, str]:
        """(anchors, where from) that a system-store build finds in the image itself, before anyone
        hands it a CA: the start-up line of a run without SSL_CERT_FILE."""
        with self._server(image, "system", with_ca=False, extra=options) as probe:
            startup, _why = wait_for_line(probe, "webserver ", READY_TIMEOUT)
        info = parse_startup(startup) if startup else {}
        anchors = int(info["anchors"]) if info.get("anchors", "").isdigit() else None
        return anchors, info.get("roots_from", "")

    def check(self, image: str, roots: str, options: Sequence[str] = ()) -> CheckResult:
        """Start ``image`` on the network (with extra ``docker run`` ``options``, such as the hardening
        ones) and ask it for /health, /resolve and the proxied page.

        For a build that reads the image's own CA store, the trust anchors recorded are those it finds
        in the image (a first start without the test CA); the check itself then runs with the test CA.
        """
        own = self.image_store_anchors(image, options) if roots == "system" else None
        with self._server(image, roots, extra=options) as server:
            startup, why = wait_for_line(server, "webserver ", READY_TIMEOUT)
            if not startup:
                return CheckResult("no", "", "", "", None, "", "", why)
            info = parse_startup(startup)
            anchors = int(info["anchors"]) if info.get("anchors", "").isdigit() else None
            roots_from = info.get("roots_from", "")
            if own is not None:
                anchors, roots_from = own
            base = f"http://{self.res.address(server)}:{SERVER_PORT}"
            outcome: dict[str, str] = {}
            failure = body = ""
            for step, path in (("health", "/health"), ("resolves", "/resolve"), ("proxies", PROXY_PATH)):
                status, body = self.get(base + path)
                outcome[step] = "yes" if status == 200 else "no"
                if status != 200 and not failure:
                    failure = body if status else f"no response to {path}: {body}"
            return CheckResult(
                "yes",
                outcome["health"],
                outcome["resolves"],
                outcome["proxies"],
                anchors,
                roots_from,
                startup,
                failure,
                body if outcome["proxies"] == "yes" else "",
            )
