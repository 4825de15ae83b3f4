"""Which address a session is served on: ``--host``, where the session was served last, or the interface
with the default route — and what to tell the facilitator when the remembered one cannot be used. No Qt here."""

from __future__ import annotations

from dataclasses import dataclass

from ..server.network import Interface

Note = tuple[str, str]  # (kind: "problem" | "info", text)


def address_label(host: str, interface: str | None) -> str:
    return f"{host} ({interface})" if interface else host


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
                note = ("info", f"This session was served on {before} last time; the app was started with "
                                f"--host {wanted}, so participants' join links change when you Start it.")
            elif self.interfaces is not None and not any(i.address == wanted for i in self.interfaces):
                note = ("problem", f"This session was served on {before} last time, and this computer does not have "
                                   "that address now (network disconnected? another Wi-Fi?). Reconnect it to keep "
                                   "participants' join links, or choose another Network under Server: their links "
                                   "then change.")
                wanted = self.default_host
        if self.interfaces is not None:
            return offered(self.interfaces, wanted), wanted, note
        if wanted:  # the list is still being read: offer the wanted one meanwhile
            name = remembered.get("interface") if remembered and remembered["host"] == wanted else None
            return [Interface(name or "chosen", wanted)], wanted, note
        return None, wanted, note

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
