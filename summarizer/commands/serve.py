"""``summarizer serve``: the web app in-process (uvicorn), no other services needed."""

from __future__ import annotations

from typing import Annotated

import typer

from summarizer.commands.base import ConfigOpt, app, echo, settings_from
from summarizer.errors import ConfigError


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8765).")] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help="Access token; required when listening on anything but localhost.",
                     envvar="SUMMARIZER_WEB_TOKEN"),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Run the web app: upload a meeting, review the draft, carry it through approval."""
    import uvicorn

    from summarizer.web import create_app
    from summarizer.web.security import TOKEN_QUERY, check_token

    check_token(token)  # an empty --token "" must be refused too, not read as "no token"
    settings = settings_from(config, web_host=host, web_port=port, web_token=token)
    web = create_app(settings, host=settings.web_host)  # refuses a non-local host without a token
    _check_port_free(settings.web_host, settings.web_port)
    shown = f"[{settings.web_host}]" if ":" in settings.web_host else settings.web_host
    url = f"http://{shown}:{settings.web_port}/"
    if settings.web_token:
        url += f"?{TOKEN_QUERY}={settings.web_token}"
    echo(f"summarizer web app: {url}")
    echo(f"data: {settings.data_dir}   (Ctrl+C to stop)")
    uvicorn.run(web, host=settings.web_host, port=settings.web_port, log_level="warning",
                proxy_headers=False, server_header=False)


def _check_port_free(host: str, port: int) -> None:
    """Say plainly when the port is taken, instead of a server log line after start-up."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OverflowError as exc:  # bind() says "port must be 0-65535"
            raise ConfigError(f"cannot listen on {host}:{port}: {exc}",
                              hint="choose a port with --port") from exc
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                hint="another program (maybe another `summarizer serve`) uses it; choose one with --port",
            ) from exc
