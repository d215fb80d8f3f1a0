"""Write tests/fixtures/babs/<name>.json.gz from a finished run with BABS scenarios:
each task's BABS log (filtered to the lines a record reads), what it recorded before
the job body, its accounting, and the record read from the whole log. Refuses a
filter that changes a record. Usage: python tools/babs_fixtures.py WORKDIR"""

import gzip
import json
import re
import sys
from pathlib import Path

from annex_race.jobs import babs
from annex_race.core.record import read_record

ROOT = Path(__file__).resolve().parents[1]
KEEP = re.compile(r"^\++ |annex-race|^(get|install|run|add|save|push|publish)\(|Attempting to clone|annex action"
                  r"|received JSON result|reflink|done Exit|from origin|failed|nable|prevented|rejected|error"
                  r"|transfer|already present|annex\.retry")
AXES = ("scenario", "location", "clone_from", "transport", "storage_sibling", "method", "image_size",
        "n_clones", "annex_retry", "annex_retry_delay", "annex_bwlimit", "git_annex", "workaround")
NAMES = {"10.20260115": "affected", "10.20261026": "newest"}
LOCATION = {"fs_source": "ext4", "fs_clone": "ext4", "same_filesystem": True, "reflink": False}
COMPARED = ("outcome", "cause", "evidence", "t_get_start", "t_get_end", "t_clone_start", "exit_code",
            "delivered", "delivery_evidence", "arrival", "barrier", "git_annex_version")


def main(workdir):
    for run_file in sorted(Path(workdir, "results", "babs").glob("*/round-*/run.json")):
        account = json.loads(run_file.read_text())
        first = read_record(Path(workdir, "results", "records", run_file.parts[-3], "clone-0.json"))
        if first.git_annex not in NAMES or first.workaround != "none":
            continue
        scenario = {a: getattr(first, a) for a in AXES} | {"scenario": "s", "location": "local"}
        tasks = []
        for clone in range(len(account["tasks"])):
            facts = json.loads((run_file.parent / "tasks" / f"task-{clone}.json").read_text())
            task = account["tasks"][str(clone + 1)]
            text = babs.task_log(account, clone)
            kept = "\n".join(line for line in text.splitlines() if KEEP.search(line))
            args = (scenario, clone, 1, 0, LOCATION, facts, task)
            whole = babs.task_record(*args, text, "log", "BABS 0.5.4").asdict()
            part = babs.task_record(*args, kept, "log", "BABS 0.5.4").asdict()
            if changed := [f for f in COMPARED if whole[f] != part[f]]:
                sys.exit(f"the filter changes {changed} of task {clone + 1} in {run_file}")
            tasks.append({"facts": facts, "account": task, "log": kept, "record": whole})
        out = ROOT / "tests" / "fixtures" / "babs" / f"{NAMES[first.git_annex]}.json.gz"
        out.write_bytes(gzip.compress(json.dumps({"git_annex": first.git_annex, "tasks": tasks}).encode(), mtime=0))
        print(out, out.stat().st_size)


if __name__ == "__main__":
    main(sys.argv[1])
