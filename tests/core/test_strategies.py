"""Aggregation arithmetic against values worked out by hand, and the strategies' parameter rules."""

from __future__ import annotations

import numpy as np
import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.strategies import STRATEGIES, ClientUpdate, get_strategy_class, make_strategy
from influx_desktop.strategies.aggregate import (
    clip_to_norm,
    constant_staleness,
    coordinate_median,
    fedasync_mix,
    hinge_staleness,
    polynomial_staleness,
    trimmed_mean,
    weighted_mean,
)


def f32(*values) -> np.ndarray:
    return np.array(values, dtype=np.float32)


# ---------------------------------------------------------------- staleness functions (Xie et al. 2019)


@pytest.mark.parametrize("staleness", [0, 1, 7, 1000])
def test_constant_staleness_is_one(staleness):
    assert constant_staleness(staleness) == 1.0


@pytest.mark.parametrize(
    "staleness, a, expected",
    [
        (0, 0.5, 1.0),  # (0+1)^-0.5
        (3, 0.5, 0.5),  # (3+1)^-0.5 = 1/2
        (1, 1.0, 0.5),  # (1+1)^-1
        (8, 2.0, 1 / 81),  # (8+1)^-2
        (5, 0.0, 1.0),  # a = 0: no decay
    ],
)
def test_polynomial_staleness(staleness, a, expected):
    assert polynomial_staleness(staleness, a) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "staleness, a, b, expected",
    [
        (0, 0.5, 4, 1.0),
        (4, 0.5, 4, 1.0),  # up to b late: full weight
        (6, 0.5, 4, 0.5),  # 1 / (0.5*(6-4) + 1)
        (10, 0.5, 4, 0.25),  # 1 / (0.5*6 + 1)
        (3, 2.0, 0, 1 / 7),  # 1 / (2*3 + 1)
    ],
)
def test_hinge_staleness(staleness, a, b, expected):
    assert hinge_staleness(staleness, a, b) == pytest.approx(expected, rel=1e-12)


def test_fedasync_mix():
    mixed = fedasync_mix(f32(1, 2, -4), f32(3, 6, 0), 0.25)  # 0.75*x + 0.25*x_client
    assert mixed.dtype == np.float32
    np.testing.assert_array_equal(mixed, f32(1.5, 3.0, -3.0))
    np.testing.assert_array_equal(fedasync_mix(f32(1, 2), f32(3, 6), 0.0), f32(1, 2))
    np.testing.assert_array_equal(fedasync_mix(f32(1, 2), f32(3, 6), 1.0), f32(3, 6))


# ---------------------------------------------------------------- FedAsync


@pytest.mark.parametrize(
    "settings, staleness, expected_weight",
    [
        ({"alpha": 0.6, "staleness_function": "constant"}, 9, 0.6),
        ({"alpha": 0.6, "staleness_function": "polynomial", "a": 0.5}, 3, 0.3),
        ({"alpha": 0.8, "staleness_function": "hinge", "a": 0.5, "b": 4}, 6, 0.4),
        ({"alpha": 0.8, "staleness_function": "hinge", "a": 0.5, "b": 4}, 2, 0.8),
        ({}, 0, 0.6),  # defaults: alpha 0.6, polynomial a 0.5
        ({}, 8, 0.2),  # 0.6 * 9^-0.5
    ],
)
def test_fedasync_weight_and_aggregate(settings, staleness, expected_weight):
    strategy = make_strategy("fedasync", settings)
    assert strategy.buffer_size == 1
    assert strategy.weight(staleness, sample_count=50) == pytest.approx(expected_weight)
    current, client = f32(0, 10, -2), f32(10, 0, 2)
    update = ClientUpdate(parameters=client, base_parameters=f32(5, 5, 5), staleness=staleness, sample_count=50)
    w = expected_weight
    expected = f32(10 * w, 10 * (1 - w), -2 * (1 - w) + 2 * w)
    np.testing.assert_allclose(strategy.aggregate(current, [update]), expected, rtol=1e-6, atol=1e-6)


def test_fedasync_ignores_sample_count():
    strategy = make_strategy("fedasync", {"alpha": 0.5})
    assert strategy.weight(2, 1) == strategy.weight(2, 10_000)


# ---------------------------------------------------------------- FedBuff


def test_fedbuff_applies_the_sample_weighted_mean_delta_times_the_server_rate():
    strategy = make_strategy("fedbuff", {"buffer_size": 2, "server_learning_rate": 2.0})
    assert strategy.buffer_size == 2
    # Two updates that started from different versions (they arrived concurrently, one stale):
    # deltas (2, 0) with 1 sample and (0, 3) with 3 samples.
    a = ClientUpdate(parameters=f32(2, 0), base_parameters=f32(0, 0), staleness=1, sample_count=1)
    b = ClientUpdate(parameters=f32(1, 4), base_parameters=f32(1, 1), staleness=0, sample_count=3)
    # mean delta = ((2,0)*1 + (0,3)*3) / 4 = (0.5, 2.25); x + 2*(0.5, 2.25) = (1,1) + (1, 4.5)
    new = strategy.aggregate(f32(1, 1), [a, b])
    assert new.dtype == np.float32
    np.testing.assert_allclose(new, f32(2.0, 5.5), rtol=1e-7)
    assert strategy.weight(staleness=5, sample_count=3) == 3.0


def test_fedbuff_server_rate_zero_keeps_the_model_and_one_rate_one_update_takes_its_parameters():
    update = ClientUpdate(parameters=f32(4, 4), base_parameters=f32(1, 1), staleness=0, sample_count=7)
    np.testing.assert_array_equal(
        make_strategy("fedbuff", {"buffer_size": 1, "server_learning_rate": 0.0}).aggregate(f32(1, 1), [update]), f32(1, 1)
    )
    np.testing.assert_array_equal(make_strategy("fedbuff", {"buffer_size": 1}).aggregate(f32(1, 1), [update]), f32(4, 4))


# ---------------------------------------------------------------- aggregate.py helpers


def test_weighted_mean():
    np.testing.assert_allclose(weighted_mean([f32(0, 4), f32(4, 0)], [3, 1]), [1.0, 3.0])
    assert weighted_mean([f32(1)], [5]).dtype == np.float64
    with pytest.raises(ValueError, match="positive"):
        weighted_mean([f32(1), f32(2)], [0, 0])


def test_coordinate_median():
    np.testing.assert_array_equal(coordinate_median([f32(1, 5), f32(2, -1), f32(10, 0)]), [2, 0])
    np.testing.assert_array_equal(coordinate_median([f32(1, 5), f32(3, -1)]), [2, 2])  # even: mean of the middle two


def test_trimmed_mean():
    vectors = [f32(1, -100), f32(2, 2), f32(3, 3), f32(100, 4)]
    np.testing.assert_allclose(trimmed_mean(vectors, 1), [2.5, 2.5])  # drops 1 and 100; -100 and 4
    np.testing.assert_allclose(trimmed_mean(vectors, 0), [26.5, -22.75])
    with pytest.raises(ValueError, match="every vector"):
        trimmed_mean(vectors, 2)


def test_clip_to_norm():
    np.testing.assert_allclose(clip_to_norm(f32(3, 4), 1.0), [0.6, 0.8], rtol=1e-6)
    assert clip_to_norm(f32(3, 4), 1.0).dtype == np.float32
    within = f32(0.3, 0.4)
    assert clip_to_norm(within, 1.0) is within
    np.testing.assert_array_equal(clip_to_norm(f32(0, 0), 0.0), [0, 0])


# ---------------------------------------------------------------- parameters and their validation


@pytest.mark.parametrize(
    "name, settings, field, message",
    [
        ("fedasync", {"alpha": 1.5}, "aggregator_params.alpha", "at most 1.0"),
        ("fedasync", {"alpha": -0.1}, "aggregator_params.alpha", "at least 0.0"),
        ("fedasync", {"alpha": True}, "aggregator_params.alpha", "number"),
        ("fedasync", {"alpha": "0.5"}, "aggregator_params.alpha", "number"),
        ("fedasync", {"a": float("nan")}, "aggregator_params.a", "finite"),
        ("fedasync", {"b": 2.5}, "aggregator_params.b", "whole number"),
        ("fedasync", {"staleness_function": "exponential"}, "aggregator_params.staleness_function", "hinge"),
        ("fedasync", {"alpah": 0.5}, "aggregator_params.alpah", "no parameter 'alpah'"),
        ("fedbuff", {"buffer_size": 0}, "aggregator_params.buffer_size", "at least 1"),
        ("fedbuff", {"server_learning_rate": 11}, "aggregator_params.server_learning_rate", "at most 10"),
        ("fedbuff", {"alpha": 0.5}, "aggregator_params.alpha", "buffer_size, server_learning_rate"),
        ("fedbuff", ["buffer_size"], "aggregator_params", "object"),
    ],
)
def test_invalid_parameters_name_the_field(name, settings, field, message):
    with pytest.raises(InvalidInput) as e:
        make_strategy(name, settings)
    assert e.value.field == field
    assert message in e.value.message


def test_unknown_strategy_names_the_aggregator_field():
    with pytest.raises(InvalidInput) as e:
        get_strategy_class("fedprox")
    assert e.value.field == "aggregator" and "fedasync" in e.value.message


def test_defaults_are_filled_and_every_strategy_describes_its_parameters():
    assert make_strategy("fedasync").settings == {"alpha": 0.6, "staleness_function": "polynomial", "a": 0.5, "b": 4}
    assert make_strategy("fedbuff").settings == {"buffer_size": 3, "server_learning_rate": 1.0}
    assert make_strategy("fedbuff", {"buffer_size": 5.0}).settings["buffer_size"] == 5  # 5.0 is a whole number
    for cls in STRATEGIES.values():
        described = cls.describe()
        assert described["name"] == cls.name and described["help"]
        for p in described["parameters"]:
            assert set(p) == {"name", "type", "default", "minimum", "maximum", "choices", "help"}
            # The declared default passes the declared rules.
            assert cls.validate_settings({})[p["name"]] == p["default"]


@pytest.mark.parametrize("value", [10**400, -(10**400), float("inf"), float("-inf"), float("nan")])
@pytest.mark.parametrize("strategy, name", [("fedasync", "alpha"), ("fedbuff", "buffer_size")])
def test_absurd_numbers_in_strategy_parameters_are_refused_naming_the_field(strategy, name, value):
    with pytest.raises(InvalidInput) as refused:
        get_strategy_class(strategy).validate_settings({name: value})
    assert refused.value.field == f"aggregator_params.{name}"


def test_clip_updates_wraps_any_strategy_and_clips_only_what_is_too_large():
    from influx_desktop.strategies.clipping import ClipUpdates, with_clipping

    base = f32(1, 1)
    far = ClientUpdate(parameters=f32(4, 5), base_parameters=base, staleness=0, sample_count=1)  # change (3, 4)
    near = ClientUpdate(parameters=f32(1.3, 1.4), base_parameters=base, staleness=0, sample_count=1)
    inner = make_strategy("fedbuff", {"buffer_size": 2, "server_learning_rate": 1.0})
    clipped = ClipUpdates(inner, 1.0)
    assert clipped.buffer_size == 2 and clipped.weight(3, 10) == inner.weight(3, 10)
    # FedBuff with server rate 1 adds the mean change: ((0.6, 0.8) + (0.3, 0.4)) / 2 onto the current model
    np.testing.assert_allclose(clipped.aggregate(base, [far, near]), [1.45, 1.6], rtol=1e-6)
    np.testing.assert_allclose(inner.aggregate(base, [far, near]), [2.65, 3.2], rtol=1e-6)
    assert clipped._clipped(near) is near  # within the norm: the update as sent, bit for bit
    assert with_clipping(inner, 0) is inner
    with pytest.raises(ValueError):
        ClipUpdates(inner, 0)


def test_automatic_clipping_is_the_furthest_honest_training_can_move_the_head():
    from influx_desktop.session import SessionConfig, honest_update_bound

    config = SessionConfig.from_dict({"title": "t", "classes": ["a", "b"]})
    assert config.clip_update_norm is None  # the default: automatic
    assert config.update_clip_norm(2562) == pytest.approx(1e-3 * 10 * 2562**0.5)
    assert honest_update_bound(2e-3, 5, 100) == pytest.approx(0.1)
    assert config.replace({"clip_update_norm": 0}).update_clip_norm(2562) == 0  # off
    assert config.replace({"clip_update_norm": 2.5}).update_clip_norm(2562) == 2.5
    assert config.replace({"clip_update_norm": None}).clip_update_norm is None
    with pytest.raises(InvalidInput):
        config.replace({"clip_update_norm": -1})
