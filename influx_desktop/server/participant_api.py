"""Routes for participants' browsers: join, task manifest, artifacts, model, class statistics, updates,
study events and leaving the study, test results."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, send_file

from .. import APP_NAME, __version__
from ..errors import NotFound
from .limits import FAILED_JOIN_WINDOW_SECONDS, RateLimits, SlidingWindow
from .requests import bearer_token, body_bytes, json_body

STUDY_BODY_LIMIT = 256 * 1024
UPDATE_BODY_LIMIT = 1024 * 1024  # 50 classes × 1281 floats is 256 KB; anything larger is not an update
#: 50 classes × 1280 features × 2 (sums, squares) × 4 bytes is 512,000 B; anything larger is not class statistics.
CLASS_STATS_BODY_LIMIT = 1024 * 1024


def make_participant_blueprint(coordinator, limits: RateLimits) -> Blueprint:
    bp = Blueprint("participant", __name__, url_prefix="/api/v1")
    joins = SlidingWindow(limits.joins_per_ip)
    failed_joins = SlidingWindow(limits.failed_joins_per_ip, FAILED_JOIN_WINDOW_SECONDS)
    updates_window = SlidingWindow(limits.updates_per_participant)
    events_window = SlidingWindow(limits.events_per_participant)
    test_results_window = SlidingWindow(limits.test_results_per_participant)
    class_stats_window = SlidingWindow(limits.class_stats_per_participant)
    withdraw_window = SlidingWindow(limits.withdrawals_per_participant)

    def participant():
        return coordinator.authenticate(bearer_token())

    def unless_unchanged(response: Response) -> Response:
        """An ETag from the body's hash, and 304 with no body when the browser already holds it
        (If-None-Match): a round's task and model are fetched again only when they changed. no-store:
        the page keeps the last answer itself (webclient/src/lib/api.js), no HTTP cache is involved."""
        response.add_etag()
        response.headers["Cache-Control"] = "no-store"
        return response.make_conditional(request)

    @bp.get("/status")
    def status():
        return jsonify({"app": APP_NAME, "version": __version__})

    def code_lookup(find):
        """``find()`` under the per-address budget of unknown join codes: a slot is taken before the
        lookup (so concurrent guesses cannot overshoot it) and given back when the code was known."""
        address = request.remote_addr or "?"
        failed_joins.hit(address, "unknown join codes from this address")
        wrong_code = False
        try:
            return find()
        except NotFound as exc:
            wrong_code = exc.code == "join_code_unknown"
            raise
        finally:
            if not wrong_code:
                failed_joins.refund(address)

    @bp.post("/join")
    def join():
        joins.hit(request.remote_addr or "?", "joins from this address")
        data = json_body()
        if not isinstance(data, dict):
            data = {"join_code": None}
        return jsonify(
            code_lookup(
                lambda: coordinator.join(
                    data.get("join_code"),
                    data.get("nickname"),
                    data.get("device"),
                    data.get("consent"),
                    device_key=data.get("device_key"),
                )
            )
        )

    @bp.get("/join/<join_code>")
    def join_info(join_code: str):
        return jsonify(code_lookup(lambda: coordinator.join_info(join_code)))

    @bp.get("/task")
    def task():
        who = participant()
        coordinator.touch(who)
        return unless_unchanged(jsonify(coordinator.manifest(who)))

    @bp.get("/artifacts/<sha256>")
    def artifact(sha256: str):
        path = coordinator.models.artifact_by_sha256(sha256)
        if path is None:
            raise NotFound("No model file has this content hash.", code="artifact_unknown")
        response = send_file(path, mimetype="application/octet-stream", etag=sha256, conditional=True, max_age=31536000)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @bp.get("/model")
    def model():
        who = participant()
        version, parameters = coordinator.parameters(who.session_id)
        response = Response(parameters.astype("<f4").tobytes(), mimetype="application/octet-stream")
        response.headers["X-Model-Version"] = str(version)
        return unless_unchanged(response)

    @bp.post("/updates")
    def updates():
        who = participant()
        updates_window.hit(str(who.id), "updates from this participant")
        body = body_bytes(UPDATE_BODY_LIMIT, "application/octet-stream")
        result = coordinator.submit_update(
            who,
            request.headers.get("X-Base-Version"),
            request.headers.get("X-Sample-Count"),
            body,
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        return jsonify(result)

    @bp.post("/class-stats")
    def class_stats():
        who = participant()
        class_stats_window.hit(str(who.id), "class statistics from this participant")
        body = body_bytes(CLASS_STATS_BODY_LIMIT, "application/octet-stream")
        return jsonify(coordinator.submit_class_stats(who, request.headers.get("X-Class-Counts"), body))

    @bp.post("/events")
    def study_events():
        who = participant()
        events_window.hit(str(who.id), "study event batches from this participant")
        return jsonify(coordinator.record_study_events(who, json_body(STUDY_BODY_LIMIT)))

    @bp.post("/withdraw")
    def withdraw():
        """Leave the user study: what it recorded of this participant is deleted (docs/study-data.md)."""
        who = participant()
        withdraw_window.hit(str(who.id), "withdrawals from this participant")
        return jsonify(coordinator.withdraw_from_study(who))

    @bp.post("/test-results")
    def test_results():
        who = participant()
        test_results_window.hit(str(who.id), "test results from this participant")
        coordinator.report_test_result(who, json_body())
        return jsonify({"stored": True}), 201

    return bp
