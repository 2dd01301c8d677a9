"""Toxicity scorers: detoxify when its weights are at hand, else the embedded classifier."""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol
from urllib.parse import urlparse

logger = logging.getLogger("circles.moderation")

BACKENDS = ("auto", "embedded", "detoxify")
EMBEDDED_PACKAGE = "alt-profanity-check"


class ToxicityError(RuntimeError):
    """A toxicity backend could not be loaded or could not score."""


class ToxicityScorer(Protocol):
    name: str
    labels: tuple[str, ...]

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Score a batch: one dict per text, label -> probability in [0, 1]."""
        ...


class EmbeddedScorer:
    """The scikit-learn model that ships inside the alt-profanity-check wheel."""

    labels: tuple[str, ...] = ("toxicity",)
    # A linear model costs the same per text however many come together: waiting for
    # company would only add latency (batches still form while one is being scored).
    batch_wait = 0.0

    def __init__(self) -> None:
        self._predict_prob = _load_embedded_predictor()
        try:
            package_version = version(EMBEDDED_PACKAGE)
        except PackageNotFoundError:
            package_version = "unknown"
        self.name = f"embedded:{EMBEDDED_PACKAGE} {package_version}"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        try:
            probabilities = self._predict_prob(list(texts))
            return [{"toxicity": _probability(p)} for p in probabilities]
        except Exception as exc:
            raise ToxicityError(f"{self.name} failed to score {len(texts)} texts: {exc}") from exc


def _load_embedded_predictor() -> Callable[[list[str]], Sequence[float]]:
    try:
        # The model and vectorizer are unpickled at import time; alt-profanity-check pins the
        # exact scikit-learn it was pickled with, so no InconsistentVersionWarning arises.
        from profanity_check import predict_prob
    except Exception as exc:
        raise ToxicityError(f"cannot load the embedded {EMBEDDED_PACKAGE} model: {exc}") from exc
    predictor: Callable[[list[str]], Sequence[float]] = predict_prob
    return predictor


class DetoxifyScorer:
    """A detoxify model loaded through detoxify's own checkpoint code, on the CPU."""

    # A transformer pays a large fixed cost per batch: a few milliseconds' wait for
    # other texts to score alongside is worth it.
    batch_wait = 0.003

    def __init__(
        self,
        model_type: str = "original",
        *,
        checkpoint: str | None = None,
        config_dir: str | None = None,
        batch_size: int = 32,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        module = import_detoxify()
        if checkpoint is None:
            _model_url(module, model_type)
        self.name = f"detoxify:checkpoint:{checkpoint}" if checkpoint else f"detoxify:{model_type}"
        self.batch_size = batch_size
        # Fast tokenizers are not safe to call from two threads at once ("Already borrowed").
        self._lock = threading.Lock()
        try:
            with _hub_offline(config_dir is not None):
                self._model: Any = module.Detoxify(
                    model_type=model_type,
                    checkpoint=checkpoint,
                    device="cpu",
                    huggingface_config_path=config_dir,
                )
        except Exception as exc:
            hint = ""
            if config_dir is not None:
                # detoxify 0.5 also resolves the checkpoint's arch.args.model_type by name,
                # so offline that name must be a local folder or already in the HF cache.
                hint = " (offline: the checkpoint's model_type must be local or HF-cached)"
            raise ToxicityError(f"cannot load {self.name}: {exc}{hint}") from exc
        self.labels: tuple[str, ...] = tuple(str(label) for label in self._model.class_names)

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        results: list[dict[str, float]] = []
        for start in range(0, len(texts), self.batch_size):
            results.extend(self._score_batch(list(texts[start : start + self.batch_size])))
        return results

    def _score_batch(self, batch: list[str]) -> list[dict[str, float]]:
        try:
            with self._lock:
                # Detoxify.predict runs under torch.no_grad() and pads the batch.
                raw: dict[str, Any] = self._model.predict(batch)
            # predict squeezes a batch of one down to bare floats.
            columns = {
                label: raw[label] if len(batch) > 1 else [raw[label]] for label in self.labels
            }
            return [
                {label: _probability(columns[label][i]) for label in self.labels}
                for i in range(len(batch))
            ]
        except Exception as exc:
            raise ToxicityError(f"{self.name} failed to score {len(batch)} texts: {exc}") from exc


def _probability(value: Any) -> float:
    return min(1.0, max(0.0, float(value)))


def import_detoxify() -> ModuleType:
    """Import detoxify's loader module (and with it torch), or raise ToxicityError."""
    try:
        return importlib.import_module("detoxify.detoxify")
    except Exception as exc:
        raise ToxicityError(
            f"detoxify is not available ({exc}); install the extra: pip install 'circles[detoxify]'"
        ) from exc


@contextmanager
def _hub_offline(enabled: bool) -> Iterator[None]:
    """Keep the Hugging Face hub offline while a local config folder is being loaded."""
    if not enabled:
        yield
        return
    import huggingface_hub.constants as hub_constants

    previous_env = os.environ.get("HF_HUB_OFFLINE")
    previous_flag = hub_constants.HF_HUB_OFFLINE
    # huggingface_hub reads the variable once at import, so the module flag is set as well.
    os.environ["HF_HUB_OFFLINE"] = "1"
    hub_constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        hub_constants.HF_HUB_OFFLINE = previous_flag
        if previous_env is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = previous_env


def cached_checkpoint_path(model_type: str) -> Path:
    """Where torch hub keeps (or would keep) detoxify's checkpoint for model_type."""
    url = _model_url(import_detoxify(), model_type)
    import torch

    filename = os.path.basename(urlparse(url).path)
    return Path(torch.hub.get_dir()) / "checkpoints" / filename


def _model_url(module: ModuleType, model_type: str) -> str:
    urls: dict[str, str] = module.MODEL_URLS
    if model_type not in urls:
        known = ", ".join(sorted(urls))
        raise ToxicityError(f"unknown detoxify model type {model_type!r} (known: {known})")
    return urls[model_type]


def build_scorer(
    backend: str = "auto",
    *,
    model_type: str = "original",
    checkpoint: str | None = None,
    config_dir: str | None = None,
) -> ToxicityScorer:
    """Build the scorer for backend ("auto", "embedded" or "detoxify") and log which is active."""
    scorer: ToxicityScorer
    if backend == "embedded":
        scorer, reason = EmbeddedScorer(), "embedded backend requested"
    elif backend == "detoxify":
        scorer = DetoxifyScorer(model_type, checkpoint=checkpoint, config_dir=config_dir)
        reason = "detoxify backend requested"
    elif backend == "auto":
        scorer, reason = _build_auto(model_type, checkpoint, config_dir)
    else:
        raise ValueError(f"unknown toxicity backend {backend!r}; choose one of {BACKENDS}")
    logger.info("toxicity model: %s (%s)", scorer.name, reason)
    return scorer


def _build_auto(
    model_type: str, checkpoint: str | None, config_dir: str | None
) -> tuple[ToxicityScorer, str]:
    try:
        weights = Path(checkpoint) if checkpoint else cached_checkpoint_path(model_type)
    except ToxicityError as exc:
        return EmbeddedScorer(), f"fallback: {exc}"
    if not weights.is_file():
        return EmbeddedScorer(), f"fallback: no detoxify weights at {weights}"
    try:
        scorer = DetoxifyScorer(model_type, checkpoint=checkpoint, config_dir=config_dir)
    except ToxicityError as exc:
        return EmbeddedScorer(), f"fallback: {exc}"
    return scorer, f"detoxify weights found at {weights}"


def fetch_detoxify_weights(model_type: str, progress: bool = True) -> Path:
    """Download detoxify's checkpoint for model_type into torch hub's cache; return its path.

    Also caches the Hugging Face config and tokenizer the checkpoint names, so that the
    model loads later without a network.
    """
    url = _model_url(import_detoxify(), model_type)
    import torch

    target = cached_checkpoint_path(model_type)
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            torch.hub.download_url_to_file(url, str(target), progress=progress)
        except Exception as exc:
            raise ToxicityError(
                f"could not download detoxify {model_type!r} weights from {url}: {exc}"
            ) from exc
    _cache_hub_files(target)
    return target


def _cache_hub_files(checkpoint: Path) -> None:
    import torch
    import transformers

    try:
        # detoxify's own checkpoints hold a plain config dict besides the tensors.
        loaded = torch.load(checkpoint, map_location="cpu", weights_only=False)
        args = loaded["config"]["arch"]["args"]
        model_class = getattr(transformers, args["model_name"])
        model_class.config_class.from_pretrained(args["model_type"])
        getattr(transformers, args["tokenizer_name"]).from_pretrained(args["model_type"])
    except Exception as exc:
        raise ToxicityError(
            f"downloaded {checkpoint} but could not cache its Hugging Face config: {exc}"
        ) from exc
