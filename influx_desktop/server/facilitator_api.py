"""Routes for the facilitator: loopback clients carrying the admin token only."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, jsonify, request

from ..errors import Forbidden, InvalidInput, Unauthorized
from ..models.backbones import BACKBONES
from ..strategies import STRATEGIES
from ..testset import read_test_zip
from .requests import bearer_token, body_bytes, json_body

TEST_SET_BODY_LIMIT = 512 * 1024 * 1024


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


DOWNLOAD_TYPES = {".onnx": "application/octet-stream", ".csv": "text/csv", ".jsonl": "application/x-ndjson"}


def _download(body: bytes | str, filename: str) -> Response:
    """An export as a file download; the name is built by the route, never taken from the client."""
    mimetype = DOWNLOAD_TYPES[filename[filename.rindex(".") :]]
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def make_facilitator_blueprint(coordinator, admin_token: str) -> Blueprint:
    bp = Blueprint("facilitator", __name__, url_prefix="/api/v1/admin")

    @bp.before_request
    def only_the_facilitator():
        if not _is_loopback(request.remote_addr):
            raise Forbidden("Facilitator routes answer only on the facilitator's own machine.", code="not_loopback")
        if not hmac.compare_digest(bearer_token().encode(), admin_token.encode()):
            raise Unauthorized("This is not the admin token of this server.", code="admin_token_wrong")

    @bp.get("/strategies")
    def strategies():
        return jsonify([cls.describe() for cls in STRATEGIES.values()])

    @bp.get("/backbones")
    def backbones():
        return jsonify(
            [
                {"name": b.name, "title": b.title, "input_size": b.input_size, "weights_note": b.weights_note}
                for b in BACKBONES.values()
            ]
        )

    @bp.get("/sessions")
    def list_sessions():
        return jsonify(coordinator.list_sessions())

    @bp.post("/sessions")
    def create_session():
        return jsonify(coordinator.create_session(json_body())), 201

    @bp.get("/sessions/<int:session_id>")
    def get_session(session_id: int):
        return jsonify(coordinator.get_session(session_id))

    @bp.patch("/sessions/<int:session_id>")
    def update_session(session_id: int):
        return jsonify(coordinator.update_session(session_id, json_body()))

    @bp.post("/sessions/<int:session_id>/<action>")
    def change_state(session_id: int, action: str):
        actions = {
            "start": coordinator.start_session,
            "stop": coordinator.stop_session,
            "pause": coordinator.pause_session,
            "resume": coordinator.resume_session,
        }
        if action not in actions:
            raise InvalidInput(f"Unknown action '{action[:20]}'; use start, stop, pause or resume.", field="action")
        return jsonify(actions[action](session_id))

    @bp.get("/sessions/<int:session_id>/participants")
    def participants(session_id: int):
        return jsonify(coordinator.participants(session_id))

    @bp.delete("/sessions/<int:session_id>/participants/<int:participant_id>")
    def revoke(session_id: int, participant_id: int):
        block = request.args.get("block", "0")
        if block not in ("0", "1"):
            raise InvalidInput("block must be 1 (also block the participant's device) or 0.", field="block")
        return jsonify(coordinator.revoke_participant(session_id, participant_id, block_device=block == "1"))

    @bp.delete("/sessions/<int:session_id>/participants/<int:participant_id>/device-block")
    def unblock(session_id: int, participant_id: int):
        return jsonify(coordinator.unblock_device(session_id, participant_id))

    @bp.get("/sessions/<int:session_id>/versions")
    def versions(session_id: int):
        return jsonify(coordinator.versions(session_id))

    @bp.get("/sessions/<int:session_id>/updates")
    def updates(session_id: int):
        return jsonify(coordinator.updates(session_id))

    @bp.get("/sessions/<int:session_id>/model.onnx")
    def model(session_id: int):
        heatmap = request.args.get("heatmap", "0") == "1"
        return _download(coordinator.export_model(session_id, heatmap), f"influx-session-{session_id}.onnx")

    @bp.get("/sessions/<int:session_id>/events.<fmt>")
    def events(session_id: int, fmt: str):
        return _download(coordinator.export_events(session_id, fmt), f"influx-session-{session_id}-events.{fmt}")

    @bp.get("/sessions/<int:session_id>/study/<what>.<fmt>")
    def study_export(session_id: int, what: str, fmt: str):
        text = coordinator.export_study(session_id, what, fmt)
        return _download(text, f"influx-session-{session_id}-study-{what}.{fmt}")

    # ------------------------------------------------------------------ session groups: one code for a study's conditions

    @bp.get("/groups")
    def list_groups():
        deleted = request.args.get("deleted", "0")
        if deleted not in ("0", "1"):
            raise InvalidInput("deleted must be 1 (list deleted groups too) or 0.", field="deleted")
        return jsonify(coordinator.list_groups(include_deleted=deleted == "1"))

    @bp.post("/groups")
    def create_group():
        return jsonify(coordinator.create_group(json_body())), 201

    @bp.get("/groups/<int:group_id>")
    def get_group(group_id: int):
        return jsonify(coordinator.get_group(group_id))

    @bp.patch("/groups/<int:group_id>")
    def rename_group(group_id: int):
        return jsonify(coordinator.rename_group(group_id, json_body()))

    @bp.delete("/groups/<int:group_id>")
    def delete_group(group_id: int):
        return jsonify(coordinator.delete_group(group_id))

    @bp.get("/groups/<int:group_id>/assignments")
    def group_assignments(group_id: int):
        return jsonify(coordinator.group_assignments(group_id))

    @bp.get("/groups/<int:group_id>/study/<what>.<fmt>")
    def group_study_export(group_id: int, what: str, fmt: str):
        text = coordinator.export_group_study(group_id, what, fmt)
        return _download(text, f"influx-group-{group_id}-study-{what}.{fmt}")

    @bp.put("/sessions/<int:session_id>/testset")
    def testset(session_id: int):
        classes = coordinator.config(session_id).classes
        images = read_test_zip(body_bytes(TEST_SET_BODY_LIMIT, "application/zip"), classes)
        return jsonify(coordinator.load_test_set(session_id, images)), 202

    @bp.get("/sessions/<int:session_id>/testset")
    def testset_status(session_id: int):
        return jsonify(coordinator.test_set_status(session_id))

    @bp.get("/sessions/<int:session_id>/accuracy")
    def accuracy(session_id: int):
        return jsonify(coordinator.accuracy_history(session_id))

    return bp
