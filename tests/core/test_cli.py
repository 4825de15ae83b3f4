"""The command line: arguments, the settings of a new session, and the messages for a taken port.
(Serving end to end, with signals and a remembered port: tests/server/test_serve_keeps_port.py.)"""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

import pytest

from influx_desktop.cli import _new_session_settings, _parser, _port, _port_in_use_message, _url
from influx_desktop.errors import InfluxError


def test_ports_are_0_to_65535():
    assert _port("0") == 0 and _port("65535") == 65535
    for bad in ("-1", "65536", "http"):
        with pytest.raises(argparse.ArgumentTypeError):
            _port(bad)


def test_serve_requires_a_host_and_takes_a_session_or_new_settings():
    args = _parser().parse_args(["serve", "--host", "127.0.0.1", "--title", "Fruit", "--classes", "a,b"])
    assert (args.command, args.host, args.port, args.session) == ("serve", "127.0.0.1", None, None)
    assert _new_session_settings(args) == {"title": "Fruit", "classes": ["a", "b"]}
    with pytest.raises(SystemExit):
        _parser().parse_args(["serve"])


def test_new_session_settings_come_from_a_file_or_the_flags_or_nowhere(tmp_path):
    none = SimpleNamespace(config=None, title=None, classes=None, aggregator=None)
    assert _new_session_settings(none) is None
    flags = SimpleNamespace(config=None, title="T", classes="x,y", aggregator="fedbuff")
    assert _new_session_settings(flags) == {"title": "T", "classes": ["x", "y"], "aggregator": "fedbuff"}
    (tmp_path / "s.json").write_text(json.dumps({"title": "From file", "classes": ["p", "q"]}))
    assert _new_session_settings(SimpleNamespace(config=tmp_path / "s.json"))["title"] == "From file"
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InfluxError, match="Cannot read"):
        _new_session_settings(SimpleNamespace(config=tmp_path / "bad.json"))


def test_a_taken_port_says_whether_the_join_links_survive_and_what_to_do():
    taken = SimpleNamespace(message="Port 8000 is in use.", port=8000, free_port=8001)
    keeps = _port_in_use_message(taken, keeps_link=True)
    assert "join links of this session use port 8000" in keeps and "--port 8001" in keeps
    plain = _port_in_use_message(SimpleNamespace(message="Port 8000 is in use.", port=8000, free_port=None), False)
    assert "--port 0" in plain and "Nothing was changed" in plain
    assert _url("::1", 80) == "http://[::1]:80" and _url("127.0.0.1", 80) == "http://127.0.0.1:80"
