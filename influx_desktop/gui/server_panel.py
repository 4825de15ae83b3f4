"""The window's left column: where the server listens (network, port: fixed while any session is served, and
said so), the shown session's state, the server's mDNS name, and how participants join the shown session
(``JoinPanel``). Networks are named in plain words; one that other devices cannot reach (this computer only, no
router, a virtual network) is said so next to the QR code."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QVBoxLayout, QWidget

from ..server.mdns import SERVICE_TYPE
from ..server.network import Interface
from .i18n import tr, tr_noop
from .join_panel import JoinPanel
from .network_choice import offer_labels, reachability_warning, technical_name
from .param_fields import ignore_wheel_unless_focused
from .serving import Server, Serving

STATE_TEXT = {
    "draft": tr_noop("ServerPanel", "not started yet"),
    "running": tr_noop("ServerPanel", "running: accepting updates"),
    "paused": tr_noop("ServerPanel", "paused: updates are refused"),
    "stopped": tr_noop("ServerPanel", "stopped"),
}


class ServerPanel(QWidget):
    def __init__(self, port: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        server_box = QGroupBox(tr("ServerPanel", "Server"))
        server_form = QFormLayout(server_box)
        self.interface_combo = ignore_wheel_unless_focused(QComboBox())
        self.interface_combo.setObjectName("network")
        self.interface_combo.setToolTip(
            tr("ServerPanel", "The network participants' devices are on. Default: the one with the default route.")
        )
        self.interface_combo.currentIndexChanged.connect(self._network_chosen)
        self._interfaces: dict[str, Interface] = {}  # offered, by address
        self.port_spin = ignore_wheel_unless_focused(QSpinBox())
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText(tr("ServerPanel", "automatic (a free port)"))
        self.port_spin.setValue(port)
        self.served_note = QLabel("")  # how many sessions the server serves: why network and port are fixed
        self.served_note.setObjectName("served_note")
        self.served_note.setWordWrap(True)
        self.served_note.hide()
        self.state_label = QLabel(tr("ServerPanel", "No session"))
        self.state_label.setObjectName("state_label")
        self.state_label.setWordWrap(True)
        self.mdns_label = QLabel(tr("ServerPanel", "not announced"))
        self.mdns_label.setWordWrap(True)
        server_form.addRow(tr("ServerPanel", "Network"), self.interface_combo)
        server_form.addRow(tr("ServerPanel", "Port"), self.port_spin)
        server_form.addRow(self.served_note)
        server_form.addRow(tr("ServerPanel", "State"), self.state_label)
        server_form.addRow(tr("ServerPanel", "mDNS"), self.mdns_label)
        self.join_panel = JoinPanel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(server_box)
        layout.addWidget(self.join_panel, 1)

    def host(self) -> str | None:
        return self.interface_combo.currentData()

    def chosen_interface(self) -> Interface | None:
        return self._interfaces.get(self.host() or "")

    def network_warning(self) -> str | None:
        """Why other devices cannot reach the chosen network (None: they can)."""
        return reachability_warning(self.chosen_interface())

    def offer_interfaces(self, interfaces: list[Interface], selected: str | None) -> None:
        combo = self.interface_combo
        combo.blockSignals(True)
        combo.clear()
        self._interfaces = {i.address: i for i in interfaces}
        for interface, text in zip(interfaces, offer_labels(interfaces)):
            combo.addItem(text, interface.address)
            combo.setItemData(combo.count() - 1, technical_name(interface), Qt.ToolTipRole)
        index = combo.findData(selected) if selected else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)
        self._network_chosen()

    def _network_chosen(self, _index: int = 0) -> None:
        interface = self.chosen_interface()
        if interface is not None:
            self.interface_combo.setToolTip(technical_name(interface))
        self.join_panel.set_network_warning(self.network_warning())

    def set_editable(self, editable: bool) -> None:
        """The address and port can change only while nothing is served or starting."""
        self.interface_combo.setEnabled(editable)
        self.port_spin.setEnabled(editable)

    def show_state(self, session: dict | None, saved: bool, serving: Serving | None) -> None:
        """The session's version and state, and whether its server runs (``saved``: the session exists)."""
        if session is None:
            self.state_label.setText("…" if saved else tr("ServerPanel", "new session (not saved yet)"))
            return
        state = session["state"]
        text = tr(
            "ServerPanel",
            "version {version} · {state}",
            version=session["version"],
            state=tr("ServerPanel", STATE_TEXT[state]) if state in STATE_TEXT else state,
        )
        if serving is not None:
            text += "\n" + tr("ServerPanel", "listening on {host}:{port}", host=serving.host, port=serving.port)
        elif state in ("running", "paused"):
            text += "\n" + tr("ServerPanel", "the server is not running: press Start")
        self.state_label.setText(text)

    def show_serving(self, serving: Serving | None) -> None:
        """How to join the shown session (None: it is not served)."""
        if serving is None:
            self.join_panel.set_url(None)
        else:
            self.join_panel.set_url(serving.join_url, serving.join_code, serving.title)

    def show_served(self, server: Server | None, count: int) -> None:
        """What the server serves (``count`` sessions; None: nothing) and how mDNS announces it."""
        c = "ServerPanel"
        if server is None:
            self.served_note.hide()
            self.mdns_label.setText(tr(c, "not announced"))
            return
        at = f"{server.host}:{server.port}"
        if count == 1:
            note = tr(c, "One session is served at {address}. Stop it to choose another network or port.", address=at)
        else:
            note = tr(
                c,
                "{n} sessions are served at {address}, each with its own join code. Stop them all to choose "
                "another network or port.",
                n=count,
                address=at,
            )
        self.served_note.setText(note)
        self.served_note.show()
        name = server.advertiser.service_name if server.advertiser is not None else None
        if server.mdns_error or name is None:
            self.mdns_label.setText(server.mdns_error or tr(c, "off"))
        else:
            instance = name.removesuffix("." + SERVICE_TYPE)
            self.mdns_label.setText(tr(c, "announced as “{name}” ({service})", name=instance, service=SERVICE_TYPE.rstrip(".")))
