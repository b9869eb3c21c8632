"""Build skills/issuing/taxonomy.json: ESCO concept URIs for the skill names Badger's catalogues use.

Run: python scripts/make_skill_taxonomy.py ../shared/data (ESCO skills_en.csv, CC BY 4.0 European Union;
catalogue skills from data/catalogues and the demo catalogue). Only names that normalise to an ESCO
preferred or alternative label are kept, so the file stays small.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import yaml

from skills.normalise import normalise_skill

OUT = Path(__file__).resolve().parents[1] / "skills" / "issuing" / "taxonomy.json"


def _catalogue_skills(data: Path) -> set[str]:
    names: set[str] = set()
    demo = yaml.safe_load((OUT.parents[2] / "knowledge" / "demo" / "catalogue.yaml").read_text(encoding="utf-8"))
    for record in demo if isinstance(demo, list) else demo.get("credentials", []):
        names.update(record.get("skills") or [])
    for line in (data / "catalogues" / "coursera_partner_skills.jsonl").read_text(encoding="utf-8").splitlines():
        skills = json.loads(line).get("skills") or []
        names.update(skills if isinstance(skills, list) else str(skills).split(";"))
    return {normalise_skill(n) for n in names if n.strip()}


def main(data: Path) -> None:
    """Write the taxonomy file."""
    wanted = _catalogue_skills(data)
    esco: dict[str, str] = {}
    with (data / "taxonomy" / "esco" / "skills_en.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            labels = [row["preferredLabel"], *row["altLabels"].splitlines()]
            for key in {normalise_skill(label) for label in labels if label.strip()}:
                if key in wanted and (key not in esco or normalise_skill(row["preferredLabel"]) == key):
                    esco[key] = row["conceptUri"]
    OUT.write_text(json.dumps({"esco": dict(sorted(esco.items()))}, indent=0) + "\n", encoding="utf-8")
    print(f"{len(esco)} of {len(wanted)} catalogue skills have an ESCO concept -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
