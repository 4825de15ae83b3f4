"""The facilitator's desktop app. Every Qt import of the project lives in this package.

The FL core (``influx_desktop.coordinator``) is the model; widgets here observe it through
core events bridged into Qt signals (``bridge``) and call its methods from worker threads
(``tasks``), so the window never waits on the network, the disk or a model export.
Modules without Qt (``snapshot``, ``serving``) hold the logic the widgets show.
"""
