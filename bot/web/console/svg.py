"""The skills heatmap as server-rendered SVG (no scripts, no assets from elsewhere)."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup, escape

from skills.console.insight import Coverage

CELL_W, CELL_H, LEFT, TOP = 64, 30, 170, 130


def _colour(share: float) -> str:
    """Red (nobody) through amber to green (everyone)."""
    red = int(220 - 150 * share)
    green = int(80 + 120 * share)
    return f"rgb({red},{green},90)"


def heatmap(cov: Coverage, base: str, max_skills: int, max_teams: int = 40) -> Markup:
    """Teams as rows (the largest first when there are too many), the most needed role skills as columns."""
    skills = cov.skills[:max_skills]
    size = {team: max((cov.need.get((team, key), 0) for key, _ in skills), default=0) for team in cov.teams}
    teams = sorted(sorted(cov.teams, key=lambda t: (-size[t], t))[:max_teams])
    width = LEFT + CELL_W * max(len(skills), 1) + 140  # room for the last rotated label
    height = TOP + CELL_H * max(len(teams), 1) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Skill coverage by team" '
             f'width="{width}" height="{height}" font-family="system-ui, sans-serif" font-size="12">']
    for j, (_, name) in enumerate(skills):
        x = LEFT + j * CELL_W + CELL_W / 2
        parts.append(f'<text transform="translate({x:.0f},{TOP - 8}) rotate(-40)">{escape(name[:28])}</text>')
    for i, team in enumerate(teams):
        y = TOP + i * CELL_H
        parts.append(f'<text x="{LEFT - 8}" y="{y + CELL_H / 2 + 4:.0f}" text-anchor="end">{escape(team[:24])}</text>')
        for j, (key, name) in enumerate(skills):
            share = cov.share(team, key)
            x = LEFT + j * CELL_W
            if share is None:
                parts.append(f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="#eeeeec"/>')
                continue
            href = escape(f"{base}/skills/cell?{urlencode({'team': team, 'skill': name})}")
            label = escape(f"{team}: {name}: {share:.0%} covered")
            parts.append(
                f'<a href="{href}" data-team="{escape(team)}" data-skill="{escape(name)}"><title>{label}</title>'
                f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="{_colour(share)}"/>'
                f'<text x="{x + CELL_W / 2 - 1:.0f}" y="{y + CELL_H / 2 + 4:.0f}" text-anchor="middle" fill="#fff">'
                f"{share:.0%}</text></a>"
            )
    if len(teams) < len(cov.teams):
        parts.append(f'<text x="4" y="{height - 8}">The {len(teams)} largest of {len(cov.teams)} teams; the '
                     "coverage table and its CSV have them all.</text>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text above is escaped
