"""Advertise the running server by mDNS/DNS-SD as an ``_http._tcp`` service (zeroconf).

Desktops and discovery tools find the server by the titles of the sessions it serves; phones
should use the QR code (``.local`` names are unreliable on Android). The advertiser binds to exactly
one interface address, the one the server listens on, so nothing is announced on other networks.
One server serves several sessions: ``update`` changes the announcement when they change (the TXT
record in place, or a new instance name). No Qt here: the GUI calls ``start``/``update``/``stop``
from a worker thread (each blocks for a moment while zeroconf probes, announces or says goodbye).
"""

from __future__ import annotations

import re
import socket

from .. import APP_NAME, __version__

SERVICE_TYPE = "_http._tcp.local."
MAX_INSTANCE_BYTES = 63  # DNS label limit (RFC 6763 §4.1.1)
MAX_TXT_BYTES = 255  # one TXT string, "key=value" (RFC 6763 §6.1)


def instance_name(title: str) -> str:
    """A DNS-SD instance name from a session title: printable, no dots, at most 63 UTF-8 bytes."""
    name = re.sub(r"[\x00-\x1f\x7f.]+", " ", title).strip() or "InFL-UX session"
    name = re.sub(r"\s+", " ", name)
    encoded = name.encode("utf-8")[:MAX_INSTANCE_BYTES]
    return encoded.decode("utf-8", errors="ignore").strip()


def txt_list(key: str, values: list[str], sep: str = ",") -> str:
    """As many of ``values`` (in order, joined by ``sep``) as fit in one TXT string ``key=…`` of 255 bytes."""
    room, kept = MAX_TXT_BYTES - len(key.encode()) - 1, []
    for value in values:
        if len(sep.join([*kept, value]).encode()) > room:
            break
        kept.append(value)
    return sep.join(kept)


class MdnsAdvertiser:
    """Registers one service on one IPv4 address; ``update`` changes what it says; ``stop`` unregisters it
    and closes zeroconf. ``properties``: TXT entries besides ``path``, ``version`` and ``app``."""

    def __init__(self, address: str, port: int, title: str, path: str = "/", properties: dict | None = None) -> None:
        self.address = address
        self.port = port
        self.title = title
        self.path = path
        self.properties = dict(properties or {})
        self._zeroconf = None
        self._info = None

    @property
    def service_name(self) -> str | None:
        """The registered full name (zeroconf may add " (2)" if the name is taken on the network)."""
        return self._info.name if self._info is not None else None

    @property
    def running(self) -> bool:
        return self._zeroconf is not None

    @property
    def info(self):
        """The registered ``zeroconf.ServiceInfo`` (None when not running): what browsers resolve."""
        return self._info

    def _service_info(self, name: str):
        from zeroconf import ServiceInfo

        return ServiceInfo(
            SERVICE_TYPE,
            name,
            port=self.port,
            addresses=[socket.inet_aton(self.address)],
            properties={"path": self.path, "version": __version__, "app": APP_NAME, **self.properties},
            server=f"{APP_NAME}-{self.address.replace('.', '-')}.local.",
        )

    def start(self) -> MdnsAdvertiser:
        from zeroconf import IPVersion, Zeroconf

        if self._zeroconf is not None:
            return self
        info = self._service_info(f"{instance_name(self.title)}.{SERVICE_TYPE}")
        zc = Zeroconf(interfaces=[self.address], ip_version=IPVersion.V4Only)
        try:
            zc.register_service(info, allow_name_change=True)
        except Exception:
            zc.close()
            raise
        self._zeroconf, self._info = zc, info
        return self

    def update(self, title: str, path: str, properties: dict | None = None) -> None:
        """Announce ``title``, ``path`` and ``properties`` instead: the same instance name gets its TXT record
        updated in place; another name replaces the service (a goodbye for the old one, then probing)."""
        renamed = instance_name(title) != instance_name(self.title)
        self.title, self.path, self.properties = title, path, dict(properties or {})
        zc, old = self._zeroconf, self._info
        if zc is None:
            return
        if old is not None and not renamed:
            self._info = self._service_info(old.name)  # keeps a " (2)" zeroconf added
            zc.update_service(self._info)
            return
        if old is not None:
            zc.unregister_service(old)
            self._info = None
        info = self._service_info(f"{instance_name(title)}.{SERVICE_TYPE}")
        zc.register_service(info, allow_name_change=True)
        self._info = info

    def stop(self) -> None:
        zc, info = self._zeroconf, self._info
        self._zeroconf = self._info = None
        if zc is None:
            return
        try:
            if info is not None:  # None: a renaming update failed halfway
                zc.unregister_service(info)
        finally:
            zc.close()
