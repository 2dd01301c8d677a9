"""Micro-batching: texts that arrive within a few milliseconds are scored as one batch.

Scoring runs on one worker thread, off the event loop. While a batch is being scored,
new texts queue up and form the next batch, so under load batches grow by themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

Scores = dict[str, float]
ScoreBatch = Callable[[Sequence[str]], list[Scores]]


class MicroBatcher:
    def __init__(self, score_batch: ScoreBatch, max_batch: int = 64, max_wait: float = 0.003):
        self.score_batch = score_batch
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.batches = 0
        self.scored = 0
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[Scores]]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toxicity")

    async def score(self, text: str) -> Scores:
        if self._queue is None or self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._run(self._queue), name="micro-batcher")
        future: asyncio.Future[Scores] = asyncio.get_running_loop().create_future()
        await self._queue.put((text, future))
        return await future

    async def _run(self, queue: asyncio.Queue[tuple[str, asyncio.Future[Scores]]]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            if self.max_wait > 0 and queue.qsize() < self.max_batch - 1:
                await asyncio.sleep(self.max_wait)
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            live = [(text, future) for text, future in batch if not future.done()]
            if not live:
                continue
            try:
                results = await loop.run_in_executor(
                    self._executor, self.score_batch, [text for text, _ in live]
                )
                if len(results) != len(live):
                    raise RuntimeError(f"scorer returned {len(results)} results for {len(live)}")
            except Exception as exc:  # every waiting caller learns of the failure
                for _, future in live:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self.batches += 1
            self.scored += len(live)
            for (_, future), result in zip(live, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        self._executor.shutdown(wait=False, cancel_futures=True)
