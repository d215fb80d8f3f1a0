"""Where the workflow's files live: one pattern for each kind, used by the rules'
outputs (as wildcards) and by the plan (formatted). The folders follow the data
flow: locations and git-annex -> datasets -> rounds (snapshots) -> records -> writes ->
sources, summary.
"""

PLAN = "results/plan.json"  # written when a run starts; every job process loads it
LOCATION_PROBE = "results/locations/{location}.json"
GIT_ANNEX = "results/git-annex/{version}.json"
# a dataset's manifest; the dataset is at the same relative path under its
# location's source_root (without .json). Lane 0 makes the image; the prefetched
# copy is one for all lanes.
CONTAINER_SOURCE = "results/datasets/{location}/lane-{lane}/container_source/size-{size}.json"
SOURCE_DS = "results/datasets/{location}/lane-{lane}/source_ds/size-{size}_transport-{transport}.json"
RIA = (
    "results/datasets/{location}/lane-{lane}/ria/"
    "size-{size}_storage_sibling-{storage_sibling}_transport-{transport}.json"
)
PREFETCH = "results/datasets/{location}/prefetch/size-{size}.json"
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
BABS_RUN = "results/babs/{scenario}/round-{round}/run.json"
# a push scenario's round's output store (annex_race.push_job): made as it opens
OUTPUT_STORE = "results/outputs/{scenario}/round-{round}.json"
CLONE_LOG = "results/logs/clone_and_get/{scenario}/clone-{clone}.log"
# what the verification of a lane's sources found, after a suite's scenarios
SOURCES = "results/sources/{suite}/{location}/lane-{lane}.json"
SITE_CHECK = "results/check.md"

# what a run reports (summary.write_results), by the name rule summarize_results
# gives each
OUTPUTS = {
    "table": "results/results.tsv",
    "summary": "results/summary.md",
    "summary_html": "results/summary.html",
    "bug_report": "results/bug-report.md",
    "bug_report_html": "results/bug-report.html",
    "scenarios": "results/scenarios",
    "timeline": "results/timeline.png",
    "heatmap": "results/heatmap.png",
    "durations": "results/durations.png",
    "summary_table": "results/summary-table.png",
    "versions": "results/versions.png",
    "conformance": "results/conformance.tsv",
    "conformance_figure": "results/conformance.png",
}
CARD = "{location}/{storage_sibling}/{scenario}.{verdict}.html"  # under OUTPUTS["scenarios"]
