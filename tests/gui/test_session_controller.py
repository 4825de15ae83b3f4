"""The window's session controller without Qt: no QApplication, no widgets, no thread pool. Work runs at once
through a synchronous ``run``; what a widget would show is read from the controller's events. Everything
binds 127.0.0.1; the other address used here is TEST-NET-1 (192.0.2.0/24), stored only, never bound."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.events import Event
from influx_desktop.gui.exports import EVENT_LOG, MODEL
from influx_desktop.gui.session_controller import SessionController
from influx_desktop.server.network import Interface

LOOPBACK = "127.0.0.1"
SETTINGS = {"title": "Fruit or not", "classes": ["fruit", "not fruit"]}


def run_now(work, on_done=None, on_error=None, on_progress=None):
    """``TaskRunner.run`` without threads: the work, then exactly one of the callbacks."""
    try:
        result = work(on_progress or (lambda _text: None))
    except BaseException as exc:  # noqa: BLE001 (what TaskRunner does: every failure goes to on_error)
        if on_error is not None:
            on_error(exc)
    else:
        if on_done is not None:
            on_done(result)


class ReadNow:
    """``CoalescedReads`` without threads."""

    def __init__(self) -> None:
        self.stopped = False

    def request(self, work, show) -> None:
        if not self.stopped:
            show(work(lambda _text: None))

    def stop(self) -> None:
        self.stopped = True


class Seen:
    """Every event the controller emitted, as (name, args), in order."""

    def __init__(self, controller: SessionController) -> None:
        self.all: list[tuple[str, tuple]] = []
        for name, emitter in vars(controller.events).items():
            emitter.connect(lambda *args, _name=name: self.all.append((_name, args)))

    def __call__(self, name: str) -> list[tuple]:
        return [args for seen, args in self.all if seen == name]

    def clear(self) -> None:
        self.all.clear()


@pytest.fixture
def coordinator(tmp_path, model_cache):
    coordinator = Coordinator(tmp_path / "data", model_cache=model_cache)
    yield coordinator
    coordinator.close()


@pytest.fixture
def open_controller(coordinator):
    opened = []

    def open_(interfaces=(Interface("lo", LOOPBACK),), host=LOOPBACK, port=0):
        controller = SessionController(coordinator, run_now, ReadNow(), host=host, port=port, advertise=False)
        seen = Seen(controller)
        controller.load_interfaces(list(interfaces))
        opened.append(controller)
        return controller, seen

    yield open_
    for controller in opened:
        controller.close()


def test_the_controller_loads_without_qt():
    code = "import sys, influx_desktop.gui.session_controller; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_an_empty_data_folder_asks_for_a_first_session(open_controller):
    controller, seen = open_controller()
    controller.list_sessions(select_latest=True)
    assert seen("network") == [([Interface("lo", LOOPBACK)], LOOPBACK)]
    assert seen("sessions") == [([],)]
    assert seen("setup_needed") == [()]
    assert seen("notice") == [("info", "No session yet: give it a title and at least two classes, then press Start.")]
    assert controller.session_id is None and controller.session is None


def test_the_latest_session_is_shown_with_its_snapshot(coordinator, open_controller):
    coordinator.create_session({"title": "Older", "classes": ["a", "b"]})
    latest = coordinator.create_session(SETTINGS)
    controller, seen = open_controller()
    controller.list_sessions(select_latest=True)
    assert controller.session_id == latest["id"]
    assert seen("shown") == [(latest["id"],)]
    ((session, load_form),) = seen("session")
    assert load_form and session["config"]["title"] == "Fruit or not"
    assert controller.snapshot is not None and controller.snapshot.session_id == latest["id"]
    assert seen("snapshot") == [(controller.snapshot,)]
    assert seen("port") == [(0,)]  # never served: the default port
    assert seen("timeline_stale") == [()]


def test_saving_creates_the_session_then_changes_only_what_changed(coordinator, open_controller):
    controller, seen = open_controller()
    controller.save(dict(SETTINGS))
    session_id = controller.session_id
    assert session_id is not None and seen("status") == [("Settings saved.", 5000)]
    assert seen("session") == [(controller.session, False)] and controller.session["id"] == session_id
    seen.clear()
    controller.save({**coordinator.config(session_id).to_dict(), "local_epochs": 3})
    assert coordinator.config(session_id).local_epochs == 3
    configured = [e for e in coordinator.event_log(session_id) if e["kind"] == "session_configured"]
    assert [sorted(e["data"]["changes"]) for e in configured] == [["local_epochs"]]
    assert [s["id"] for (sessions,) in seen("sessions") for s in sessions] == [session_id]


def test_a_refused_setting_names_its_field_and_nothing_is_created(coordinator, open_controller):
    controller, seen = open_controller()
    controller.save({"title": "", "classes": ["a", "b"]})
    ((what, exc),) = seen("settings_refused")
    assert what == "Could not save the settings" and exc.field == "title"
    assert controller.session_id is None and coordinator.list_sessions() == []


def test_a_session_served_before_gets_its_port_and_a_note_when_its_address_is_gone(coordinator, open_controller):
    session_id = coordinator.create_session(SETTINGS)["id"]
    coordinator.remember_network_choice(session_id, "192.0.2.77", 41999, "wlan0")
    controller, seen = open_controller(host=None)
    seen.clear()
    controller.show_session(session_id)
    assert seen("port") == [(41999,)]
    assert seen("network") == [([Interface("lo", LOOPBACK)], LOOPBACK)]
    ((kind, text),) = [n for n in seen("notice") if n[0] is not None]
    assert kind == "problem" and "Wi-Fi (192.0.2.77)" in text and "does not have that address now" in text


def status_of(url: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # test traffic stays on loopback
    with opener.open(url, timeout=30) as response:
        return json.loads(response.read())


def test_start_pause_resume_stop_on_loopback(coordinator, open_controller, tmp_path):
    controller, seen = open_controller()
    controller.start(dict(SETTINGS), LOOPBACK, 0)
    serving = controller.serving
    assert serving is not None and serving.host == LOOPBACK and not controller.starting
    progress = [text for (text,) in seen("start_progress")]
    assert progress[0] == "Starting the session…" and progress[-1] is None and len(progress) > 2
    assert seen("serving") == [(serving,)] and seen("port")[-1] == (serving.port,)
    assert seen("status")[-1] == (f"Serving {serving.join_url}", 0)
    assert controller.session["state"] == "running"
    assert status_of(f"http://{LOOPBACK}:{serving.port}/api/v1/status")["app"] == "influx-desktop"
    assert coordinator.network_choice(controller.session_id) == {"host": LOOPBACK, "interface": "lo", "port": serving.port}

    controller.toggle_pause()
    assert controller.state == "paused"
    controller.toggle_pause()
    assert controller.state == "running"

    controller.save_export(MODEL, tmp_path / "model.onnx", "onnx")
    assert (tmp_path / "model.onnx").read_bytes() == coordinator.export_model(controller.session_id)
    assert seen("status")[-1] == (f"Model saved to {tmp_path / 'model.onnx'}", 10000)

    controller.stop()
    assert controller.serving is None and controller.state == "stopped" and not controller.busy
    assert seen("serving")[-1] == (None,)
    with pytest.raises(OSError):
        socket.create_connection((LOOPBACK, serving.port), timeout=1).close()


def test_a_second_session_is_served_by_the_running_server_and_the_last_stop_closes_it(coordinator, open_controller):
    controller, seen = open_controller()
    controller.start(dict(SETTINGS), LOOPBACK, 0)
    first = controller.serving
    assert controller.new_session() and seen("port")[-1] == (first.port,)  # allowed while serving, on its port
    controller.start({"title": "Second", "classes": ["x", "y"]}, "192.0.2.77", 1)  # TEST-NET: ignored, never bound
    second = controller.serving
    assert second is not None and second.session_id != first.session_id, seen("notice")
    assert second.server is first.server and (second.host, second.port) == (LOOPBACK, first.port)
    assert list(controller.serving_now) == [first.session_id, second.session_id]
    assert seen("served")[-1] == (controller.serving_now,)

    controller.stop()  # the shown session, Second: First goes on
    assert controller.serving is None and list(controller.serving_now) == [first.session_id]
    assert coordinator.get_session(second.session_id)["state"] == "stopped"
    assert coordinator.get_session(first.session_id)["state"] == "running"
    assert status_of(f"http://{LOOPBACK}:{first.port}/api/v1/status")["app"] == "influx-desktop"
    assert seen("status")[-1] == ("Stopped this session; the other running sessions go on (1).", 8000)

    controller.show_session(first.session_id)
    assert controller.serving is first
    controller.stop()
    assert controller.server is None and controller.serving_now == {}
    with pytest.raises(OSError):
        socket.create_connection((LOOPBACK, first.port), timeout=1).close()


def test_a_taken_port_is_offered_another_and_nothing_starts(coordinator, open_controller):
    controller, seen = open_controller()
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        controller.start(dict(SETTINGS), LOOPBACK, port)
    assert controller.serving is None and not controller.starting
    ((exc, keeps_link),) = seen("port_in_use")
    assert (exc.port, keeps_link) == (port, False) and exc.free_port not in (None, port)
    assert seen("notice")[-1] == ("problem", f"Could not start: Port {port} on {LOOPBACK} is in use by another program.")
    assert controller.session["state"] == "draft"  # the settings were saved, nothing started
    assert coordinator.network_choice(controller.session_id) is None


def test_closing_stops_the_server_and_the_session(coordinator, open_controller):
    controller, _seen = open_controller()
    controller.start(dict(SETTINGS), LOOPBACK, 0)
    session_id, waited = controller.session_id, []
    controller.close(wait_for_tasks=lambda: waited.append(True))
    assert waited == [True] and controller.serving is None and controller.closed
    assert coordinator.get_session(session_id)["state"] == "stopped"
    controller.close()  # idempotent
    controller.request_refresh()  # reads nothing once closed


def test_exports_are_written_whole_and_failures_reported(coordinator, open_controller, tmp_path):
    controller, seen = open_controller()
    controller.save(dict(SETTINGS))
    target = tmp_path / "events.jsonl"
    controller.save_export(EVENT_LOG, target, "jsonl")
    assert target.read_text() == coordinator.export_events(controller.session_id, "jsonl")
    assert seen("status")[-2:] == [("Exporting the event log…", 0), (f"Event log saved to {target}", 10000)]
    assert not list(tmp_path.glob(".*.partial"))
    controller.save_export(EVENT_LOG, tmp_path / "missing" / "events.csv", "csv")
    kind, text = seen("notice")[-1]
    assert kind == "problem" and text.startswith("Could not export the event log: FileNotFoundError")


def test_core_events_of_the_shown_session_refresh_it(coordinator, open_controller):
    controller, seen = open_controller()
    controller.save(dict(SETTINGS))
    seen.clear()
    controller.on_core_event(Event(1, controller.session_id + 1, 0.0, "session_configured"))  # another session
    controller.on_core_event(Event(2, controller.session_id, 0.0, "model_version"))
    assert len(seen("snapshot")) == 1 and seen("timeline_stale") == []
    controller.on_core_event(Event(3, controller.session_id, 0.0, "participant_joined", participant_id=4))
    assert len(seen("snapshot")) == 2 and seen("timeline_stale") == [()]


@pytest.mark.parametrize("left", ["paused", "running"])
def test_start_serves_a_session_the_app_left_paused_or_running_without_starting_it_again(coordinator, open_controller, left):
    session_id = coordinator.create_session(SETTINGS)["id"]
    coordinator.start_session(session_id)
    if left == "paused":
        coordinator.pause_session(session_id)
    controller, _seen = open_controller()
    controller.show_session(session_id)
    before = [e["kind"] for e in coordinator.event_log(session_id)]
    controller.start(coordinator.config(session_id).to_dict(), LOOPBACK, 0)
    assert controller.serving is not None and controller.state == "running"
    added = [e["kind"] for e in coordinator.event_log(session_id)][len(before) :]
    assert "session_started" not in added
    assert ("session_resumed" in added) == (left == "paused")
