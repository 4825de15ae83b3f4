"""Session settings: every rule refuses bad input with an error that names the field and the rule."""

from __future__ import annotations

import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.session import SessionConfig

VALID = {"title": "Fruit or not", "classes": ["apple", "banana", "cherry"]}


def config(**changes) -> SessionConfig:
    return SessionConfig.from_dict({**VALID, **changes})


def test_defaults_and_normalisation():
    c = config(title="  Fruit or not ", classes=[" apple", "banana ", "cherry"])
    assert c.title == "Fruit or not"
    assert c.classes == ("apple", "banana", "cherry")
    assert (c.backbone, c.pretrained, c.aggregator) == ("efficientnet_lite0", True, "fedasync")
    assert c.aggregator_params == {"alpha": 0.6, "staleness_function": "polynomial", "a": 0.5, "b": 4}
    assert (c.local_epochs, c.batch_size, c.learning_rate) == (10, 64, 1e-3)  # issue 12's measured defaults
    assert (c.max_staleness, c.max_update_norm) == (20, 100.0)
    assert SessionConfig.from_dict(c.to_dict()) == c


@pytest.mark.parametrize("n", [2, 50])
def test_two_to_fifty_classes(n):
    assert len(config(classes=[f"c{i}" for i in range(n)]).classes) == n


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": ""}, "title", "non-empty"),
        ({"title": "   "}, "title", "non-empty"),
        ({"title": 7}, "title", "non-empty"),
        ({"title": "x" * 81}, "title", "at most 80"),
        ({"classes": "apple,banana"}, "classes", "list"),
        ({"classes": ["apple"]}, "classes", "2 to 50 classes; got 1"),
        ({"classes": [f"c{i}" for i in range(51)]}, "classes", "2 to 50 classes; got 51"),
        ({"classes": ["apple", " "]}, "classes", "Class 2 has no name"),
        ({"classes": ["apple", None]}, "classes", "Class 2 has no name"),
        ({"classes": ["apple", "Apple"]}, "classes", "appears twice"),
        ({"classes": ["apple", "x" * 41]}, "classes", "longer than 40"),
        ({"backbone": "resnet50"}, "backbone", "efficientnet_lite0"),
        ({"pretrained": "yes"}, "pretrained", "true or false"),
        ({"aggregator": "fedprox"}, "aggregator", "Unknown aggregator"),
        ({"aggregator": 3}, "aggregator", "must be a name"),
        ({"aggregator_params": {"alpha": 2}}, "aggregator_params.alpha", "at most 1.0"),
        ({"aggregator": "fedbuff", "aggregator_params": {"alpha": 0.5}}, "aggregator_params.alpha", "no parameter"),
        ({"local_epochs": 0}, "local_epochs", "from 1 to 100; got 0"),
        ({"local_epochs": 2.5}, "local_epochs", "whole number"),
        ({"local_epochs": True}, "local_epochs", "whole number"),
        ({"batch_size": 513}, "batch_size", "from 1 to 512"),
        ({"batch_size": "16"}, "batch_size", "whole number"),
        ({"learning_rate": 0}, "learning_rate", "from 1e-06 to 1"),
        ({"learning_rate": 2.0}, "learning_rate", "from 1e-06 to 1"),
        ({"learning_rate": float("nan")}, "learning_rate", "must be a number"),
        ({"max_staleness": -1}, "max_staleness", "from 0 to 100000"),
        ({"max_update_norm": 0}, "max_update_norm", "from 1e-06"),
        ({"max_update_norm": float("inf")}, "max_update_norm", "must be a number"),
        ({"colour": "red"}, "colour", "Unknown setting 'colour'"),
    ],
)
def test_each_rule_names_its_field(changes, field, message):
    with pytest.raises(InvalidInput) as e:
        config(**changes)
    assert e.value.field == field
    assert message in e.value.message
    assert e.value.code == "invalid_input"


@pytest.mark.parametrize("missing", ["title", "classes"])
def test_title_and_classes_are_required(missing):
    data = dict(VALID)
    del data[missing]
    with pytest.raises(InvalidInput) as e:
        SessionConfig.from_dict(data)
    assert e.value.field == missing and "required" in e.value.message


def test_settings_must_be_an_object():
    with pytest.raises(InvalidInput, match="JSON object"):
        SessionConfig.from_dict(["title"])


def test_replace_validates_and_resets_parameters_of_a_new_aggregator():
    c = config(aggregator_params={"alpha": 0.9})
    switched = c.replace({"aggregator": "fedbuff"})
    assert switched.aggregator_params == {"buffer_size": 3, "server_learning_rate": 1.0}
    assert c.replace({"learning_rate": 0.01}).aggregator_params["alpha"] == 0.9
    with pytest.raises(InvalidInput) as e:
        c.replace({"batch_size": 0})
    assert e.value.field == "batch_size"


def test_numeric_settings_are_declared_once_and_drive_validation():
    from influx_desktop.session import CLIP_UPDATE_NORM, NUMERIC_SETTINGS

    declared = NUMERIC_SETTINGS + (CLIP_UPDATE_NORM,)
    assert [p.name for p in declared] == [
        "local_epochs",
        "batch_size",
        "learning_rate",
        "max_staleness",
        "max_update_norm",
        "clip_update_norm",
    ]
    defaults = SessionConfig(title="t", classes=("a", "b"))
    for p in declared:
        assert p.label and p.help, p.name
        assert getattr(defaults, p.name) == p.default
        assert getattr(config(**{p.name: p.minimum}), p.name) == p.minimum
        assert getattr(config(**{p.name: p.maximum}), p.name) == p.maximum
        below = p.minimum - (1 if p.type is int else max(p.minimum * 0.5, 1e-9) if p.minimum > 0 else 1)
        above = p.maximum + (1 if p.type is int else p.maximum)
        for bad in (below, above):
            with pytest.raises(InvalidInput) as e:
                config(**{p.name: bad})
            assert e.value.field == p.name
    assert config(clip_update_norm=None).clip_update_norm is None


def test_every_setting_has_one_caption_declared_with_it():
    """What the setup form labels a setting and the event log calls it. A new field without one fails here; a
    numeric setting's is its declaration's label (Param.caption), not a second list."""
    from dataclasses import fields

    from influx_desktop.session import CLIP_UPDATE_NORM, NUMERIC_SETTINGS, SETTING_CAPTIONS

    names = [f.name for f in fields(SessionConfig)]
    assert list(SETTING_CAPTIONS) == names
    missing = [name for name in names if not SETTING_CAPTIONS[name].strip()]
    assert missing == [], "declare a caption with the field: _setting('Caption', default=...)"
    assert len(set(SETTING_CAPTIONS.values())) == len(names)  # two settings never read alike in the event log
    for param in (*NUMERIC_SETTINGS, CLIP_UPDATE_NORM):
        assert SETTING_CAPTIONS[param.name] == param.caption == param.label
    assert SETTING_CAPTIONS["batch_size"] == "Batch size" and SETTING_CAPTIONS["aggregator_params"] == "Aggregator settings"
