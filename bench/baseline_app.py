"""The read-path baseline: a minimal Starlette app serving one static HTML page.

The page is read once from the file named by BASELINE_PAGE (bench/read_path.py writes
the real thread page there, so both answers have the same size).
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PAGE = Path(os.environ["BASELINE_PAGE"]).read_bytes()


async def page(request: Request) -> Response:
    return Response(PAGE, media_type="text/html")


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/", page), Route("/healthz", healthz)])
