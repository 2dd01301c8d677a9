"""Micro-batching: texts that arrive within a few milliseconds are scored as one batch.

Scoring runs on one worker thread, off the event loop. The worker thread also forms
the batches: it takes what has queued up, waits at most `max_wait` after the first text
for more, scores, hands the results back to the event loop in one callback and goes
straight on to the next batch. It never waits for the event loop, so under load it is
never idle and batches grow by themselves while one is being scored.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable, Sequence

Scores = dict[str, float]
ScoreBatch = Callable[[Sequence[str]], list[Scores]]
Item = tuple[str, asyncio.Future[Scores]]

# An idle worker thread exits after this long and is started again on demand, so a
# batcher that is never closed does not keep a thread for the life of the process.
IDLE_EXIT_SECONDS = 5.0


class MicroBatcher:
    def __init__(self, score_batch: ScoreBatch, max_batch: int = 64, max_wait: float = 0.003):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.score_batch = score_batch
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.batches = 0
        self.scored = 0
        self._queue: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._closed = False

    async def score(self, text: str) -> Scores:
        future: asyncio.Future[Scores] = asyncio.get_running_loop().create_future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the toxicity micro-batcher is closed")
            self._queue.put((text, future))
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._run, name="toxicity-micro-batcher", daemon=True
                )
                self._worker.start()
        return await future

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            live = [(text, future) for text, future in batch if not future.done()]
            if live:
                self._score(live)

    def _next_batch(self) -> list[Item] | None:
        """Up to max_batch items, waiting at most max_wait after the first; None to stop."""
        try:
            first = self._queue.get(timeout=IDLE_EXIT_SECONDS)
        except queue.Empty:
            with self._lock:
                # score() enqueues under the same lock, so nothing can slip in unseen.
                if self._queue.empty():
                    self._worker = None
                    return None
            first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    item = self._queue.get(timeout=left)
                except queue.Empty:
                    break
            if item is None:  # closing: finish this batch, then stop
                self._queue.put(None)
                break
            batch.append(item)
        return batch

    def _score(self, live: list[Item]) -> None:
        results: list[Scores] | None = None
        error: BaseException | None = None
        try:
            results = self.score_batch([text for text, _ in live])
            if len(results) != len(live):
                raise RuntimeError(f"scorer returned {len(results)} results for {len(live)}")
        except Exception as exc:  # every waiting caller learns of the failure
            # A wrong-length result list must not be delivered (and index past its end).
            results, error = None, exc
        else:
            self.batches += 1
            self.scored += len(live)
        by_loop: dict[asyncio.AbstractEventLoop, list[int]] = {}
        for i, (_, future) in enumerate(live):
            by_loop.setdefault(future.get_loop(), []).append(i)
        for loop, indexes in by_loop.items():
            # A closed event loop refuses the callback: nobody is waiting there any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_deliver, live, indexes, results, error)

    async def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._worker is not None:
                self._queue.put(None)


def _deliver(
    live: list[Item], indexes: list[int], results: list[Scores] | None, error: BaseException | None
) -> None:
    for i in indexes:
        future = live[i][1]
        if future.done():  # cancelled meanwhile, e.g. by a timeout
            continue
        if results is None:
            future.set_exception(error or RuntimeError("scoring failed"))
        else:
            future.set_result(results[i])
