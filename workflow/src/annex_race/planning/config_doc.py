"""config/README.md, generated from the configuration's schema: every key's
description is written once, in workflow/schemas/config.schema.yaml, with its default
from config/config.yaml.

    python -m annex_race.planning.config_doc          # rewrite config/README.md
    python -m annex_race.planning.config_doc --check  # exit 1 if it is not what the schema says
"""

import json
import sys

import yaml

from ..core.layout import CHECKOUT as ROOT

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
DEFAULTS = ROOT / "config" / "config.yaml"
README = ROOT / "config" / "README.md"

INTRO = """\
# Configuration

<!-- Generated from workflow/schemas/config.schema.yaml by `python -m annex_race.planning.config_doc`:
     edit the schema's descriptions, not this file. -->

`config/config.yaml` holds the defaults; the workflow validates every run's
configuration against `workflow/schemas/config.schema.yaml` before it creates anything,
and a bad value stops the run with one line naming the key, e.g.
`config key 'backoff.annex_retry': 0 is less than the minimum of 1`.

Change settings by editing a copy, adding a file (`--configfile my.yaml`, read after
`config/config.yaml`), or on the command line (`--config key=value`). On the command
line an axis takes one value (`--config storage_sibling=on`): that runs a slice of the
matrix.
"""


def _default(value):
    if value is None or value == "":
        return "empty" if value == "" else "none"
    if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
        return ", ".join(f"`{name}`" for name in value)  # e.g. the locations' names
    text = json.dumps(value, ensure_ascii=False).replace('"', "")
    return f"`{text}`"


def _cell(text):
    return " ".join(str(text).split()).replace("|", "\\|")


def render(schema=None, defaults=None):
    """The text of config/README.md."""
    schema = schema or yaml.safe_load(SCHEMA.read_text())
    defaults = defaults if defaults is not None else yaml.safe_load(DEFAULTS.read_text())
    out = [INTRO]
    for title, section in schema["x-sections"].items():
        out += [f"## {title}", ""]
        if section.get("intro"):
            out += [_cell(section["intro"]), ""]
        out += ["| key | default | what |", "|---|---|---|"]
        for key, prop in schema["properties"].items():
            if prop.get("x-section") == title:
                out.append(f"| `{key}` | {_cell(_default(defaults.get(key)))} | {_cell(prop['description'])} |")
        out.append("")
        for paragraph in (section.get("notes") or "").split("\n\n"):
            if paragraph.strip():
                out += [_cell(paragraph), ""]
    return "\n".join(out).rstrip() + "\n"


def main(argv=sys.argv[1:]):
    text = render()
    if "--check" in argv:
        if README.read_text() != text:
            sys.exit(f"{README}: not what the schema says; run python -m annex_race.planning.config_doc")
        return
    README.write_text(text)
    print(f"wrote {README}")


if __name__ == "__main__":
    main()
