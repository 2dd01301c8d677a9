"""Builds the moderation screener from settings; the model is loaded once per process."""

from __future__ import annotations

from functools import cache

from forum.config import Settings
from moderation.crisis import CrisisDetector
from moderation.pipeline import Pipeline, Screener
from moderation.toxicity import ToxicityScorer, build_scorer


@cache
def shared_scorer(
    backend: str, model: str, checkpoint: str | None, config_dir: str | None
) -> ToxicityScorer:
    # Loading a model takes seconds and memory; every app in this process shares one.
    return build_scorer(backend, model_type=model, checkpoint=checkpoint, config_dir=config_dir)


@cache
def _detector(extra: str | None) -> CrisisDetector:
    base = CrisisDetector.default()
    return base.extended(extra) if extra else base


def build_screener(settings: Settings, scorer: ToxicityScorer | None = None) -> Screener:
    scorer = scorer or shared_scorer(
        settings.toxicity_backend,
        settings.detoxify_model,
        settings.detoxify_checkpoint,
        settings.detoxify_config_dir,
    )
    pipeline = Pipeline(scorer, _detector(settings.crisis_patterns_extra))
    return Screener(pipeline, timeout=settings.classifier_timeout)
