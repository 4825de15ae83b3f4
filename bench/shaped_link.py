"""A shaped classroom link for benchmarks: a network namespace behind a veth pair, cleaned up however the run ends.

``ShapedLink(...).create()`` makes a namespace ``ifxjs-<pid>`` holding one end of a veth pair
(``ifxjs<pid>n``, the server's address 10.200.N.1) and keeps the other end here (``ifxjs<pid>h``, one
address per participant from 10.200.N.2, N chosen so that nothing on the machine uses 10.200.N.x). Each
direction is shaped with tc: netem delay with a tbf child (the rate, shared by everyone on the link).
A kernel without sch_netem gets the tbf alone, and ``round_trip`` tells the participants how long to
wait per request instead. Only these private addresses, on this pair, take part: nothing is routed.

``remove()`` deletes the pair (its qdiscs go with it) and the namespace; ``remove_leftovers()`` deletes
those of earlier runs whose process is gone (killed outright); ``signals_unwind()`` turns SIGINT and
SIGTERM into KeyboardInterrupt so every ``finally`` runs. Needs root, ``ip`` and ``tc``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import median

#: Every namespace and link made here is named with this prefix and the process id.
PREFIX = "ifxjs"


def _ip(*args: str, check: bool = True) -> str:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True).stdout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def our_namespaces() -> list[str]:
    return [line.split()[0] for line in _ip("netns", "list").splitlines() if line.startswith(PREFIX + "-")]


def our_links() -> list[str]:
    names = re.findall(r"^\d+: ([^:@\s]+)", _ip("-o", "link", "show"), flags=re.M)
    return [n for n in names if re.fullmatch(PREFIX + r"\d+[hn]", n)]


def remove_leftovers() -> list[str]:
    """Namespaces and links of earlier runs whose process is gone (killed before it could clean up)."""
    removed = []
    for ns in our_namespaces():
        pid = int(ns.removeprefix(PREFIX + "-"))
        if pid != os.getpid() and not _alive(pid):
            for server in _ip("netns", "pids", ns, check=False).split():  # that run's own server
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(server), signal.SIGKILL)
            _ip("netns", "del", ns, check=False)
            removed.append(ns)
    for link in our_links():
        pid = int(link[len(PREFIX) : -1])
        if pid != os.getpid() and not _alive(pid):
            _ip("link", "del", link, check=False)
            removed.append(link)
    return removed


def _free_subnet() -> int:
    """N such that nothing on this machine uses 10.200.N.x yet (another run of this script may)."""
    used = _ip("-4", "-o", "addr", "show") + _ip("-4", "route", "show", "table", "all")
    start = os.getpid() % 250
    for n in [(start + i) % 250 for i in range(250)]:
        if not re.search(rf"(?<![\d.])10\.200\.{n}\.", used):
            return n
    raise SystemExit("no free 10.200.N.0/26 subnet for the benchmark's veth pair")


@dataclass
class ShapedLink:
    """A namespace with the server's end of a veth pair; the other end here, one address per participant."""

    participants: int
    rate: str
    delay: str
    one_address: bool = False
    netem: bool = True  # False: this kernel has no netem; the participants add the delay per request
    ns: str = ""
    host_if: str = ""
    ns_if: str = ""
    server_address: str = ""
    client_addresses: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        pid = os.getpid()
        self.ns, self.host_if, self.ns_if = f"{PREFIX}-{pid}", f"{PREFIX}{pid}h", f"{PREFIX}{pid}n"

    def create(self) -> ShapedLink:
        n = _free_subnet()
        self.server_address = f"10.200.{n}.1"
        count = 1 if self.one_address else self.participants
        if count > 60:
            raise SystemExit("at most 60 participant addresses fit the /26")
        self.client_addresses = [f"10.200.{n}.{2 + i}" for i in range(count)]
        _ip("netns", "add", self.ns)
        _ip("link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if)
        _ip("link", "set", self.ns_if, "netns", self.ns)
        for address in self.client_addresses:
            _ip("addr", "add", f"{address}/26", "dev", self.host_if)
        _ip("-n", self.ns, "addr", "add", f"{self.server_address}/26", "dev", self.ns_if)
        _ip("-n", self.ns, "link", "set", "lo", "up")
        _ip("-n", self.ns, "link", "set", self.ns_if, "up")
        _ip("link", "set", self.host_if, "up")
        for netns, dev in ((None, self.host_if), (self.ns, self.ns_if)):  # uplink, downlink
            tc = ["tc"] + (["-n", netns] if netns else [])
            tbf = ["tbf", "rate", self.rate, "burst", "32kb", "latency", "100ms"]
            netem = subprocess.run(
                tc + ["qdisc", "add", "dev", dev, "root", "handle", "1:", "netem", "delay", self.delay, "limit", "100000"],
                capture_output=True,
                text=True,
            )
            if netem.returncode == 0:
                subprocess.run(
                    tc + ["qdisc", "add", "dev", dev, "parent", "1:1", "handle", "10:", *tbf], check=True, capture_output=True
                )
            elif "unknown" in netem.stderr:  # a kernel without sch_netem: shape here, delay in the participants
                self.netem = False
                subprocess.run(tc + ["qdisc", "add", "dev", dev, "root", "handle", "1:", *tbf], check=True, capture_output=True)
            else:
                raise RuntimeError(f"tc netem: {netem.stderr.strip()}")
        return self

    @property
    def round_trip(self) -> float:
        """Seconds the participants wait per round trip themselves (0 when netem delays the packets)."""
        return 0.0 if self.netem else 2 * seconds(self.delay)

    def qdiscs(self) -> list[str]:
        """``tc qdisc show`` of both ends: what shapes the link."""
        shown = [
            subprocess.run(tc + ["qdisc", "show", "dev", dev], capture_output=True, text=True).stdout
            for tc, dev in ((["tc"], self.host_if), (["tc", "-n", self.ns], self.ns_if))
        ]
        return [line.strip() for text in shown for line in text.splitlines() if line.strip()]

    def counters(self) -> tuple[int, int]:
        """(downlink, uplink) bytes so far, as the participants' end of the veth counts them."""
        stats = Path("/sys/class/net") / self.host_if / "statistics"
        return int((stats / "rx_bytes").read_text()), int((stats / "tx_bytes").read_text())

    def remove(self) -> None:
        _ip("link", "del", self.host_if, check=False)  # both ends, with their qdiscs
        _ip("netns", "del", self.ns, check=False)

    def gone(self) -> bool:
        return self.ns not in our_namespaces() and not {self.host_if, self.ns_if} & set(our_links())


def seconds(delay: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)\s*(us|ms|s)", delay.lower()).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def rate_bits(rate: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)\s*([kmg]?)bit", rate.lower()).groups()
    return float(number) * {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}[unit]


def connect_ms(link: ShapedLink) -> float:
    """TCP connect time to the server's address (one round trip), median of 5, on the idle link."""
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        with (
            contextlib.suppress(OSError),
            socket.create_connection((link.server_address, 9), timeout=2, source_address=(link.client_addresses[0], 0)),
        ):
            pass
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)  # a refused connection (RST) also takes one round trip


@contextlib.contextmanager
def signals_unwind():
    """SIGINT and SIGTERM unwind the stack (so every ``finally`` runs) instead of killing the process."""

    def unwind(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, unwind) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
