"""Which address a session is served on: ``--host``, where the session was served last, or the interface
with the default route — what to tell the facilitator when the remembered one cannot be used, each network's
name in plain words ("Wi-Fi", "Cable (Ethernet)", "This computer only (test mode)") and a warning when other
devices cannot reach the chosen one. No Qt here."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from ..server.network import Interface
from .i18n import tr, tr_noop

Note = tuple[str, str]  # (kind: "problem" | "info", text)

#: What kind of network an adapter is, from its address and (a heuristic) its name on Linux, macOS, Windows.
_KINDS = (  # (kind, adapter names: a regular expression, case-insensitive)
    ("virtual", r"docker|^br-|virbr|^veth|vboxnet|vmnet|vethernet|virtualbox|vmware|^lxc|^lxd|podman|^cni|hyper-v"),
    ("vpn", r"^tun|^tap|^wg|^utun|^ppp|tailscale|^zt|vpn|ipsec"),
    ("wifi", r"^wl|wi-?fi|wlan|wireless|airport"),
    ("cable", r"^eth|^en[opsx]|ethernet|^lan|local area connection|lan-verbindung"),
)
KIND_NAMES = {
    "loopback": tr_noop("Network", "This computer only (test mode)"),
    "wifi": tr_noop("Network", "Wi-Fi"),
    "cable": tr_noop("Network", "Cable (Ethernet)"),
    "virtual": tr_noop("Network", "Virtual network ({name})"),
    "vpn": tr_noop("Network", "VPN ({name})"),
    "link_local": tr_noop("Network", "Network without a router ({name})"),
    "other": tr_noop("Network", "Network “{name}”"),
}
#: Networks that phones in the room cannot reach, and what the facilitator is told about each.
UNREACHABLE = {
    "loopback": tr_noop(
        "Network",
        "Test mode: only this computer can open the join link. Phones and other computers cannot "
        "reach it. To run a lesson, choose Wi-Fi or Cable under Network.",
    ),
    "link_local": tr_noop(
        "Network",
        "This network gave the computer no proper address (169.254…: no router answered). Other "
        "devices can reach it only when they are cabled directly to it. Check the Wi-Fi or the cable, "
        "or choose another Network.",
    ),
    "virtual": tr_noop(
        "Network",
        "This is a virtual network inside this computer (for example Docker or a virtual machine): "
        "phones in the room cannot reach it. Choose Wi-Fi or Cable under Network.",
    ),
}


def network_kind(interface: Interface) -> str:
    """``loopback``, ``link_local``, ``virtual``, ``vpn``, ``wifi``, ``cable`` or ``other``."""
    try:
        address = ipaddress.IPv4Address(interface.address)
    except ValueError:
        return "other"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"
    for kind, names in _KINDS:
        if re.search(names, interface.name, re.IGNORECASE):
            return kind
    return "other"


def friendly_name(interface: Interface) -> str:
    """The network in plain words; an adapter the heuristics do not know keeps its name."""
    kind = network_kind(interface)
    if kind == "other" and interface.name == "chosen":
        return interface.address
    return tr("Network", KIND_NAMES[kind], name=interface.name)


def technical_name(interface: Interface) -> str:
    """What a technician needs: the adapter's name and address (a tooltip)."""
    return tr("Network", "Adapter {name}, address {address}", name=interface.name, address=interface.address)


def reachability_warning(interface: Interface | None) -> str | None:
    """Why other devices cannot reach ``interface``, or None when they can (as far as this computer knows)."""
    if interface is None:
        return None
    kind = network_kind(interface)
    return tr("Network", UNREACHABLE[kind]) if kind in UNREACHABLE else None


def offer_labels(interfaces: list[Interface]) -> list[str]:
    """The drop-down's text of each interface: its plain name, with the address when two share a name."""
    names = [friendly_name(i) for i in interfaces]
    return [
        name if names.count(name) == 1 or name == i.address else f"{name} – {i.address}" for name, i in zip(names, interfaces)
    ]


def address_label(host: str, interface: str | None) -> str:
    """``Wi-Fi (192.0.2.77)``; the address alone when the adapter is not known."""
    return f"{friendly_name(Interface(interface, host))} ({host})" if interface else host


def offered(interfaces: list[Interface], selected: str | None) -> list[Interface]:
    """The interfaces to offer; a selected address that is not among them is offered first."""
    if selected and not any(i.address == selected for i in interfaces):
        return [Interface("chosen", selected), *interfaces]
    return list(interfaces)


@dataclass
class NetworkChoice:
    explicit_host: str | None  # --host: wins over a session's remembered address
    default_host: str | None  # until the interface list says which one has the default route
    default_port: int
    interfaces: list[Interface] | None = None  # this machine's, once listed
    remembered: dict | None = None  # where the shown session was served last (Coordinator.network_choice)

    def preselect(self) -> tuple[list[Interface] | None, str | None, Note | None]:
        """``(offer, selected, note)``: the interfaces to offer (None: leave the choice as it is) with the one to
        select — the remembered address (``--host`` wins), else the default one — and a note for the
        facilitator when the remembered address cannot be used."""
        remembered = self.remembered
        wanted = self.explicit_host or (remembered["host"] if remembered else None) or self.default_host
        note = None
        if remembered is not None:
            before = address_label(remembered["host"], remembered.get("interface"))
            if remembered["host"] != wanted:
                note = (
                    "info",
                    tr(
                        "Network",
                        "This session was served on {before} last time; the app was started "
                        "with --host {wanted}, so participants' join links change when you "
                        "Start it.",
                        before=before,
                        wanted=wanted,
                    ),
                )
            elif self.interfaces is not None and not any(i.address == wanted for i in self.interfaces):
                note = (
                    "problem",
                    tr(
                        "Network",
                        "This session was served on {before} last time, and this "
                        "computer does not have that address now (network disconnected? "
                        "another Wi-Fi?). Reconnect it to keep participants' join links, or "
                        "choose another Network under Server: their links then change.",
                        before=before,
                    ),
                )
                wanted = self.default_host
        if self.interfaces is not None:
            return offered(self.interfaces, wanted), wanted, note
        if wanted:  # the list is still being read: offer the wanted one meanwhile
            name = remembered.get("interface") if remembered and remembered["host"] == wanted else None
            return [Interface(name or "chosen", wanted)], wanted, note
        return None, wanted, note

    def running_server_note(self, host: str, port: int) -> Note | None:
        """A note when the shown session, served elsewhere last time, would get other join links on the server
        already running (at ``host:port``) for other sessions."""
        remembered = self.remembered
        if remembered is None or (remembered["host"], remembered["port"]) == (host, port):
            return None
        text = tr(
            "Network",
            "This session was served at {before}, port {port} last time. Start serves it with the running "
            "sessions at {host}:{now}, so its participants' join links change.",
            before=address_label(remembered["host"], remembered.get("interface")),
            port=remembered["port"],
            host=host,
            now=port,
        )
        return "info", text

    def interface_name(self, address: str) -> str | None:
        """The adapter name of ``address``, remembered with the session for display."""
        for interface in self.interfaces or ():
            if interface.address == address:
                return interface.name
        if self.remembered and self.remembered["host"] == address:
            return self.remembered.get("interface")
        return None

    def keeps_link(self, host: str, port: int) -> bool:
        """Whether ``host:port`` is where the session's participants' join links point."""
        return self.remembered is not None and (self.remembered["host"], self.remembered["port"]) == (host, port)
