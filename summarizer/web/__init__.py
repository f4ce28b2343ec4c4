"""The web app: the same library as the CLI behind a few pages (``summarizer serve``).

``create_app(settings, host=...)`` builds the ASGI app. Nothing here reimplements a pipeline stage;
routes call ``summarizer.pipeline``, ``summarizer.store``, ``summarizer.approval`` and friends.
"""

from __future__ import annotations

from summarizer.web.app import create_app

__all__ = ["create_app"]
