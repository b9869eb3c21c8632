"""The digest chart: credentials in progress and badges earned per person, and the team's top skill gaps."""

from __future__ import annotations

import io
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAX_PEOPLE = 30  # a larger team shows its 30 most active people; the digest text lists everyone
MAX_GAPS = 5
_IN_PROGRESS, _EARNED, _GAP = "#4C72B0", "#55A868", "#C44E52"
_SIZE = 9  # matplotlib's bundled DejaVu Sans (the default): no font is looked up or fetched


def _short(text: str, width: int = 28) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _people_panel(ax: Any, people: list[dict[str, Any]]) -> None:
    if not people:
        ax.text(0.5, 0.5, "No direct reports yet", ha="center", va="center", transform=ax.transAxes, fontsize=_SIZE)
        ax.set_axis_off()
        return
    names = [_short(str(p["name"])) for p in people][::-1]
    rows = range(len(names))
    in_progress = [int(p["in_progress"]) for p in people][::-1]
    earned = [int(p["earned"]) for p in people][::-1]
    ax.barh([r + 0.2 for r in rows], in_progress, height=0.4, color=_IN_PROGRESS, label="In progress")
    ax.barh([r - 0.2 for r in rows], earned, height=0.4, color=_EARNED, label="Badges earned")
    ax.set_yticks(list(rows), names)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, max([*in_progress, *earned, 1]) + 0.5)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, frameon=False, fontsize=_SIZE)
    ax.spines[["top", "right"]].set_visible(False)


def _gaps_panel(ax: Any, gaps: list[dict[str, Any]]) -> None:
    ax.set_title("Top skill gaps (people missing each)", loc="left", fontsize=_SIZE)
    if not gaps:
        ax.text(0.5, 0.5, "No skill gaps against the team's role profiles", ha="center", va="center",
                transform=ax.transAxes, fontsize=_SIZE)
        ax.set_axis_off()
        return
    skills = [_short(str(g["skill"]), 34) for g in gaps][::-1]
    counts = [int(g["count"]) for g in gaps][::-1]
    ax.barh(range(len(skills)), counts, height=0.6, color=_GAP)
    ax.set_yticks(list(range(len(skills))), skills)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, max(counts) + 0.5)
    ax.spines[["top", "right"]].set_visible(False)


def digest_png(payload: dict[str, Any]) -> bytes:
    """Render a digest payload as a PNG: people's bars above, the team's top gaps below."""
    people = sorted(payload.get("people") or [], key=lambda p: (-(p["in_progress"] + p["earned"]), p["name"]))
    people = sorted(people[:MAX_PEOPLE], key=lambda p: str(p["name"]).lower())
    gaps = list(payload.get("top_gaps") or [])[:MAX_GAPS]
    people_height = 0.32 * max(len(people), 3)
    gaps_height = 0.3 * max(len(gaps), 2) + 0.5
    # A Figure with its own Agg canvas, no pyplot and no global rcParams changes: safe in worker threads.
    figure = Figure(figsize=(7.5, 1.0 + people_height + gaps_height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, height_ratios=[people_height, gaps_height])
    manager = payload.get("manager_name")
    title = f"Team learning, week {payload.get('week', '')}" + (f": {manager}'s team" if manager else "")
    figure.suptitle(title, fontsize=11, x=0.02, ha="left")
    _people_panel(top, people)
    _gaps_panel(bottom, gaps)
    for ax in (top, bottom):
        ax.tick_params(labelsize=_SIZE)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
