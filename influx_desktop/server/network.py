"""This machine's IPv4 addresses and the one participants most likely reach: the default route's.

No Qt here, and nothing in this module sends a packet. The default route is read from
``/proc/net/route`` on Linux; elsewhere a UDP socket is ``connect()``-ed (which only asks the
kernel for a route and sends nothing) and its local address is used. Loopback is the fallback.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
ROUTE_TABLE = Path("/proc/net/route")
#: TEST-NET-1 (RFC 5737): never routed on the internet; only used to ask the kernel which source
#: address a default-route packet would get. connect() on a UDP socket transmits nothing.
_ROUTE_PROBE = ("192.0.2.1", 9)


@dataclass(frozen=True)
class Interface:
    name: str  # the adapter's name, e.g. "wlan0", "Ethernet"
    address: str  # IPv4 dotted quad

    @property
    def label(self) -> str:
        return f"{self.address} ({self.name})"

    @property
    def is_loopback(self) -> bool:
        return ipaddress.IPv4Address(self.address).is_loopback


def list_ipv4_interfaces() -> list[Interface]:
    """Every IPv4 address of this machine with its adapter name; loopback last."""
    import ifaddr  # a dependency of zeroconf

    found: list[Interface] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str):  # IPv6 addresses come as tuples
                found.append(Interface(adapter.nice_name, ip.ip))
    if not any(i.address == LOOPBACK for i in found):
        found.append(Interface("lo", LOOPBACK))
    return sorted(found, key=lambda i: (i.is_loopback, i.address.startswith("169.254."), i.name, i.address))


def default_route_interface_name(route_table: Path = ROUTE_TABLE) -> str | None:
    """The interface of the lowest-metric default route in a Linux route table, or None."""
    try:
        lines = Path(route_table).read_text().splitlines()[1:]
    except OSError:
        return None
    best: tuple[int, str] | None = None
    for line in lines:
        fields = line.split()
        if len(fields) < 8:
            continue
        name, destination, flags, metric, mask = fields[0], fields[1], fields[3], fields[6], fields[7]
        try:
            up = int(flags, 16) & 0x1
            is_default = int(destination, 16) == 0 and int(mask, 16) == 0
            metric_value = int(metric)
        except ValueError:
            continue
        if up and is_default and (best is None or metric_value < best[0]):
            best = (metric_value, name)
    return best[1] if best else None


def _address_by_udp_route() -> str | None:
    """Source address the kernel would use for the default route (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_ROUTE_PROBE)
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address in ("0.0.0.0", LOOPBACK) else address


def pick_default_interface(
    interfaces: list[Interface] | None = None, route_table: Path = ROUTE_TABLE, use_udp_probe: bool = True
) -> Interface:
    """The interface with the default route; loopback when there is none."""
    interfaces = list_ipv4_interfaces() if interfaces is None else interfaces
    route_name = default_route_interface_name(route_table)
    if route_name is not None:
        for interface in interfaces:
            if interface.name == route_name and not interface.is_loopback:
                return interface
    elif use_udp_probe and not Path(route_table).exists():  # not Linux: ask the kernel another way
        address = _address_by_udp_route()
        for interface in interfaces:
            if interface.address == address:
                return interface
    for interface in interfaces:
        if interface.is_loopback:
            return interface
    return Interface("lo", LOOPBACK)


def address_is_present(address: str, interfaces: list[Interface] | None = None) -> bool:
    """Whether ``address`` still belongs to this machine (an interface can vanish: Wi-Fi off, cable out)."""
    interfaces = list_ipv4_interfaces() if interfaces is None else interfaces
    return any(i.address == address for i in interfaces)
