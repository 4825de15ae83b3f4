"""Advertise the running server by mDNS/DNS-SD as an ``_http._tcp`` service (zeroconf).

Desktops and discovery tools find the session by its title; phones should use the QR code
(``.local`` names are unreliable on Android). The advertiser binds to exactly one interface
address, the one the server listens on, so nothing is announced on other networks.
No Qt here: the GUI calls ``start``/``stop`` from a worker thread (both block for a moment
while zeroconf probes and says goodbye).
"""

from __future__ import annotations

import re
import socket

from .. import APP_NAME, __version__

SERVICE_TYPE = "_http._tcp.local."
MAX_INSTANCE_BYTES = 63  # DNS label limit (RFC 6763 §4.1.1)


def instance_name(title: str) -> str:
    """A DNS-SD instance name from a session title: printable, no dots, at most 63 UTF-8 bytes."""
    name = re.sub(r"[\x00-\x1f\x7f.]+", " ", title).strip() or "InFL-UX session"
    name = re.sub(r"\s+", " ", name)
    encoded = name.encode("utf-8")[:MAX_INSTANCE_BYTES]
    return encoded.decode("utf-8", errors="ignore").strip()


class MdnsAdvertiser:
    """Registers one service on one IPv4 address; ``stop`` unregisters it and closes zeroconf."""

    def __init__(self, address: str, port: int, title: str, path: str = "/") -> None:
        self.address = address
        self.port = port
        self.title = title
        self.path = path
        self._zeroconf = None
        self._info = None

    @property
    def service_name(self) -> str | None:
        """The registered full name (zeroconf may add " (2)" if the name is taken on the network)."""
        return self._info.name if self._info is not None else None

    @property
    def running(self) -> bool:
        return self._zeroconf is not None

    def start(self) -> MdnsAdvertiser:
        from zeroconf import IPVersion, ServiceInfo, Zeroconf

        if self._zeroconf is not None:
            return self
        info = ServiceInfo(
            SERVICE_TYPE,
            f"{instance_name(self.title)}.{SERVICE_TYPE}",
            port=self.port,
            addresses=[socket.inet_aton(self.address)],
            properties={"path": self.path, "version": __version__, "app": APP_NAME},
            server=f"{APP_NAME}-{self.address.replace('.', '-')}.local.",
        )
        zc = Zeroconf(interfaces=[self.address], ip_version=IPVersion.V4Only)
        try:
            zc.register_service(info, allow_name_change=True)
        except Exception:
            zc.close()
            raise
        self._zeroconf, self._info = zc, info
        return self

    def stop(self) -> None:
        zc, info = self._zeroconf, self._info
        self._zeroconf = self._info = None
        if zc is None:
            return
        try:
            zc.unregister_service(info)
        finally:
            zc.close()
