"""The facilitator's desktop app. Every Qt import of the project lives in this package.

napari style: ``session_controller.SessionController`` holds the state the window shows (the session, its
server, the dashboard's snapshot, the network choice) in plain Python and is the only part that talks to
the FL core (``influx_desktop.coordinator``). The widgets (``main_window`` and the small ones it lays out)
observe its events and call its methods; core events reach it through ``bridge`` (Qt signals), and its calls
into the core run on worker threads (``tasks``), so the window never waits on the network, the disk or a
model export. Modules without Qt: ``session_controller``, ``controller_events``, ``network_choice``,
``exports``, ``serving``, ``snapshot``.
"""
