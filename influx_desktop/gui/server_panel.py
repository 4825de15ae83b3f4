"""The window's left column: where the server listens (network, port), its state and mDNS name, and how
participants join (``JoinPanel``)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QVBoxLayout, QWidget

from ..server.mdns import SERVICE_TYPE
from ..server.network import Interface
from .join_panel import JoinPanel
from .serving import Serving

STATE_TEXT = {
    "draft": "not started yet",
    "running": "running: accepting updates",
    "paused": "paused: updates are refused",
    "stopped": "stopped",
}


class ServerPanel(QWidget):
    def __init__(self, port: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        server_box = QGroupBox("Server")
        server_form = QFormLayout(server_box)
        self.interface_combo = QComboBox()
        self.interface_combo.setToolTip("The network participants' devices are on. Default: the one with the default route.")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("automatic (a free port)")
        self.port_spin.setValue(port)
        self.state_label = QLabel("No session")
        self.state_label.setObjectName("state_label")
        self.state_label.setWordWrap(True)
        self.mdns_label = QLabel("")
        self.mdns_label.setWordWrap(True)
        server_form.addRow("Network", self.interface_combo)
        server_form.addRow("Port", self.port_spin)
        server_form.addRow("State", self.state_label)
        server_form.addRow("mDNS", self.mdns_label)
        self.join_panel = JoinPanel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(server_box)
        layout.addWidget(self.join_panel, 1)

    def host(self) -> str | None:
        return self.interface_combo.currentData()

    def offer_interfaces(self, interfaces: list[Interface], selected: str | None) -> None:
        self.interface_combo.clear()
        for interface in interfaces:
            self.interface_combo.addItem(interface.label, interface.address)
        index = self.interface_combo.findData(selected) if selected else 0
        self.interface_combo.setCurrentIndex(max(0, index))

    def set_editable(self, editable: bool) -> None:
        """The address and port can change only while nothing is served or starting."""
        self.interface_combo.setEnabled(editable)
        self.port_spin.setEnabled(editable)

    def show_state(self, session: dict | None, saved: bool, serving: Serving | None) -> None:
        """The session's version and state, and whether its server runs (``saved``: the session exists)."""
        if session is None:
            self.state_label.setText("…" if saved else "new session (not saved yet)")
            return
        state = session["state"]
        text = f"v{session['version']} · {STATE_TEXT.get(state, state)}"
        if serving is not None:
            text += f"\nlistening on {serving.host}:{serving.port}"
        elif state in ("running", "paused"):
            text += "\nthe server is not running: press Start"
        self.state_label.setText(text)

    def show_serving(self, serving: Serving | None) -> None:
        if serving is None:
            self.join_panel.set_url(None)
            self.mdns_label.setText("not announced")
            return
        self.join_panel.set_url(serving.join_url, serving.join_code)
        if serving.advertiser is not None:
            instance = serving.advertiser.service_name.removesuffix("." + SERVICE_TYPE)
            self.mdns_label.setText(f"announced as “{instance}” ({SERVICE_TYPE.rstrip('.')})")
        else:
            self.mdns_label.setText(serving.mdns_error or "off")
