"""InFL-UX Desktop: a facilitator's federated-learning server that participants join from their browsers."""

__version__ = "0.1.0"
APP_NAME = "influx-desktop"
