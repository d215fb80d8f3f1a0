"""Where the workflow's files live: one pattern for each kind, used by the rules'
outputs (as wildcards) and by the plan (formatted), and nowhere else spelled out.
The folders follow the data flow: locations and git-annex -> datasets -> rounds
(snapshots) -> records -> writes -> sources, summary.
"""

from pathlib import Path

# the checkout this package is installed from (editable: tools/setup.sh)
CHECKOUT = Path(__file__).resolve().parents[4]
PLAN = "results/plan.json"  # written when a run starts; every job process loads it
LOCATION_PROBE = "results/locations/{location}.json"
GIT_ANNEX = "results/git-annex/{version}.json"
# a dataset's manifest; the dataset is at the same relative path under its
# location's source_root (without .json). Lane 0 makes the image; the prefetched
# copy is one for all lanes.
DATASETS = "results/datasets/{location}"
CONTAINER_SOURCE = DATASETS + "/lane-{lane}/container_source/size-{size}.json"
SOURCE_DS = DATASETS + "/lane-{lane}/source_ds/size-{size}_transport-{transport}.json"
RIA = DATASETS + "/lane-{lane}/ria/size-{size}_storage_sibling-{storage_sibling}_transport-{transport}.json"
PREFETCH = DATASETS + "/prefetch/size-{size}.json"
# a round's ticket: it opens one barrier, named by the ticket, for all siblings
ROUND = "results/rounds/{scenario}/round-{round}.json"
BARRIERS = "results/barriers/{scenario}"
RECORD = "results/records/{scenario}/clone-{clone}.json"
# the repositories a round's jobs share, as they were before it (written as it opens)
# and what the jobs wrote into them (after all its jobs ended; annex_race.snapshot)
SNAPSHOT = "results/snapshots/{scenario}/round-{round}.json"
WRITES = "results/writes/{scenario}/round-{round}.json"
# a BABS scenario's round (annex_race.babs): its project after `babs init`, what
# each array task recorded before BABS's job body, and the run after `babs merge`
BABS_PROJECT = "results/babs/{scenario}/round-{round}/project.json"
BABS_TASKS = "results/babs/{scenario}/round-{round}/tasks"
BABS_TASK = BABS_TASKS + "/task-{clone}.json"
BABS_RUN = "results/babs/{scenario}/round-{round}/run.json"
# a push scenario's round's output repository (jobs/push.py): made as the round
# opens; what it held of its jobs' results after the round (observe/output.py)
OUTPUT_REPOSITORY = "results/outputs/{scenario}/round-{round}.json"
OUTPUT_VERIFIED = "results/verified-outputs/{scenario}/round-{round}.json"
CLONE_LOG = "results/logs/run_clone_job/{scenario}/clone-{clone}.log"
# what the verification of a lane's sources found, after a suite's scenarios
SOURCES = "results/sources/{suite}/{location}/lane-{lane}.json"
SITE_CHECK = "results/check.md"

# under a location's work roots: a clone job's clone, the clone the output check
# makes, a BABS round's project (clone_root); a push round's output repository and the
# scratch of the sources' verification (source_root)
CLONE_DIR = "{scenario}/clone-{clone}"
VERIFY_DIR = "{scenario}/output-verify"
BABS_ROOT = "{scenario}/babs-round-{round}"
OUTPUT_DIR = "outputs/{scenario}/round-{round}"
SCRATCH = ".checks"

# what a run reports: the tables first (report/table.py), then what is rendered from
# them: the pages (report/summary.py, report/pages.py), the figures (report/figures.py)
# and one card per scenario, by the names the summary's rules give each
TABLES = {"results": "results/results.tsv", "scenarios": "results/scenarios.tsv"}
PAGES = {
    "summary": "results/summary.md",
    "summary_html": "results/summary.html",
    "bug_report": "results/bug-report.md",
    "bug_report_html": "results/bug-report.html",
    "conformance": "results/conformance.tsv",
}
FIGURES = {
    "timeline": "results/timeline.png",
    "heatmap": "results/heatmap.png",
    "durations": "results/durations.png",
    "summary_table": "results/summary-table.png",
    "versions": "results/versions.png",
    "conformance_figure": "results/conformance.png",
}
CARDS = "results/scenarios"
CARD = "{location}/{storage_sibling}/{scenario}.{verdict}.html"  # under CARDS
OUTPUTS = {**TABLES, **PAGES, **FIGURES, "cards": CARDS}
