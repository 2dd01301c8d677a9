"""Tests for the micro-batcher: concurrent texts share model calls, failures reach every caller."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence

import pytest

from moderation.batching import MicroBatcher


class LengthScorer:
    """Scores each text with its own length, so a mix-up between callers shows."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.batches: list[list[str]] = []
        self.gate = gate

    def __call__(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if self.gate is not None:
            self.gate.wait(5)
        self.batches.append(list(texts))
        return [{"len": float(len(text))} for text in texts]


async def test_concurrent_calls_are_grouped_into_few_batches() -> None:
    scorer = LengthScorer()
    batcher = MicroBatcher(scorer, max_batch=64, max_wait=0.005)
    texts = ["x" * i for i in range(1, 101)]
    try:
        results = await asyncio.gather(*(batcher.score(text) for text in texts))
    finally:
        await batcher.close()
    assert len(results) == 100
    assert len(scorer.batches) <= 5
    assert batcher.batches == len(scorer.batches)
    assert batcher.scored == 100
    assert sorted(len(batch) for batch in scorer.batches)[-1] > 1


async def test_each_caller_gets_its_own_texts_result() -> None:
    batcher = MicroBatcher(LengthScorer(), max_batch=16, max_wait=0.002)
    texts = ["y" * i for i in range(1, 101)]
    try:
        results = await asyncio.gather(*(batcher.score(text) for text in texts))
    finally:
        await batcher.close()
    assert results == [{"len": float(i)} for i in range(1, 101)]


async def test_batches_never_exceed_max_batch() -> None:
    scorer = LengthScorer()
    batcher = MicroBatcher(scorer, max_batch=8, max_wait=0.002)
    try:
        await asyncio.gather(*(batcher.score("z" * i) for i in range(1, 41)))
    finally:
        await batcher.close()
    assert max(len(batch) for batch in scorer.batches) <= 8
    assert sum(len(batch) for batch in scorer.batches) == 40


async def test_texts_arriving_while_a_batch_is_scored_form_the_next_batch() -> None:
    gate = threading.Event()
    scorer = LengthScorer(gate)
    batcher = MicroBatcher(scorer, max_batch=64, max_wait=0.001)
    try:
        first = asyncio.create_task(batcher.score("a"))
        await asyncio.sleep(0.05)  # the first batch is now blocked inside the scorer
        rest = [asyncio.create_task(batcher.score("b" * i)) for i in range(2, 12)]
        await asyncio.sleep(0.01)
        gate.set()
        assert await first == {"len": 1.0}
        assert [await task for task in rest] == [{"len": float(i)} for i in range(2, 12)]
    finally:
        await batcher.close()
    assert [len(batch) for batch in scorer.batches] == [1, 10]


async def test_scorer_exception_reaches_every_waiting_caller() -> None:
    def broken(texts: Sequence[str]) -> list[dict[str, float]]:
        raise RuntimeError("model fell over")

    batcher = MicroBatcher(broken, max_batch=64, max_wait=0.005)
    try:
        results = await asyncio.gather(
            *(batcher.score(f"text {i}") for i in range(20)), return_exceptions=True
        )
    finally:
        await batcher.close()
    assert len(results) == 20
    for result in results:
        assert isinstance(result, RuntimeError)
        assert "model fell over" in str(result)


async def test_wrong_number_of_results_is_an_error_for_every_caller() -> None:
    def short(texts: Sequence[str]) -> list[dict[str, float]]:
        return [{"len": 1.0}]

    batcher = MicroBatcher(short, max_batch=64, max_wait=0.005)
    try:
        results = await asyncio.gather(
            *(batcher.score(f"t{i}") for i in range(3)), return_exceptions=True
        )
    finally:
        await batcher.close()
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_batcher_keeps_working_after_a_failed_batch() -> None:
    calls = 0

    def flaky(texts: Sequence[str]) -> list[dict[str, float]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("first call fails")
        return [{"len": float(len(t))} for t in texts]

    batcher = MicroBatcher(flaky, max_batch=64, max_wait=0.001)
    try:
        with pytest.raises(RuntimeError):
            await batcher.score("first")
        assert await batcher.score("second") == {"len": 6.0}
    finally:
        await batcher.close()


async def test_a_cancelled_caller_does_not_break_the_others() -> None:
    gate = threading.Event()
    scorer = LengthScorer(gate)
    batcher = MicroBatcher(scorer, max_batch=64, max_wait=0.001)
    try:
        blocker = asyncio.create_task(batcher.score("a"))
        await asyncio.sleep(0.05)  # first batch holds the worker
        waiting = [asyncio.create_task(batcher.score("b" * i)) for i in range(2, 7)]
        await asyncio.sleep(0.01)
        waiting[1].cancel()  # gives up while queued for the next batch
        gate.set()
        assert await blocker == {"len": 1.0}
        with pytest.raises(asyncio.CancelledError):
            await waiting[1]
        others = [await task for i, task in enumerate(waiting) if i != 1]
        assert others == [{"len": 2.0}, {"len": 4.0}, {"len": 5.0}, {"len": 6.0}]
        # The cancelled text was not scored, and the batcher still serves new callers.
        assert "bbb" not in scorer.batches[1]
        assert await batcher.score("after") == {"len": 5.0}
    finally:
        await batcher.close()


async def test_a_caller_timing_out_does_not_break_the_batcher() -> None:
    gate = threading.Event()
    batcher = MicroBatcher(LengthScorer(gate), max_batch=64, max_wait=0.001)
    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(batcher.score("slow"), 0.02)
        gate.set()
        assert await asyncio.wait_for(batcher.score("later"), 5) == {"len": 5.0}
    finally:
        await batcher.close()


async def test_close_can_be_called_twice() -> None:
    batcher = MicroBatcher(LengthScorer(), max_batch=8, max_wait=0.001)
    assert await batcher.score("abc") == {"len": 3.0}
    await batcher.close()
    await batcher.close()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(batcher.score("late"), 2)


async def test_close_before_any_call_is_harmless() -> None:
    batcher = MicroBatcher(LengthScorer())
    await batcher.close()


async def test_after_close_a_caller_gets_an_error_not_a_hang() -> None:
    batcher = MicroBatcher(LengthScorer(), max_batch=8, max_wait=0.001)
    await batcher.close()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(batcher.score("late"), 2)


async def test_close_leaves_no_caller_waiting_forever() -> None:
    gate = threading.Event()
    batcher = MicroBatcher(LengthScorer(gate), max_batch=64, max_wait=0.001)
    in_flight = asyncio.create_task(batcher.score("in flight"))
    await asyncio.sleep(0.05)
    queued = asyncio.create_task(batcher.score("queued"))
    await asyncio.sleep(0.01)
    await batcher.close()
    gate.set()
    for task, text in ((in_flight, "in flight"), (queued, "queued")):
        # Finishing the work or failing clearly are both fine; hanging (a timeout) is not.
        with contextlib.suppress(RuntimeError):
            assert await asyncio.wait_for(task, 2) == {"len": float(len(text))}
