"""The plan: everything a run will do, worked out once, before any job starts.

`build(config, progress, executor)` is a pure function: of the validated
configuration, of what earlier runs left on disk (planning/progress.py, observed
before) and of the executor's slots. The main Snakemake process builds the plan and
stores it when the run starts (planning/plan_file.py); every job process Snakemake
starts (each SLURM job runs `snakemake --mode remote`) loads it instead of planning
again, so the data flows one way: configuration and progress -> plan -> the rules'
inputs -> records.

The plan's pieces, one job each: the matrix (planning/matrix.py), the lanes
(lanes.py), each scenario's round (rounds.py), each scenario's files (files.py),
the space it needs (space.py), its storage (plan_file.py). The Plan value below
answers the rules' questions from them.

Words (docs/design.md, "Words"): suite (`matrix`: what `snakemake` runs; `site`:
`snakemake check`), lane, round.
"""

from dataclasses import dataclass, field

from ..core import layout
from ..core.axes import AXES
from ..core.methods import BABS, GET, NO_DELIVERY, PUSH, family
from ..core.specs import BabsProjectSpec, CloneJobSpec
from ..core.versions import SYSTEM, version_key
from .files import KINDS, ScenarioFiles, dataset_dir
from .lanes import assign_lanes, resolve_lanes
from .matrix import tables
from .rounds import decide

SUITES = ("matrix", "site")


@dataclass(frozen=True)
class Executor:
    """What the executor allows: --cores, --jobs (None locally: a cluster's), and how
    many jobs the local executor runs at once where it cannot make room for every
    job it starts (driver/compat.py; None: all)."""

    cores: int | None = None
    jobs: int | None = None
    local_slots: int | None = None


@dataclass(frozen=True)
class Scenario:
    """One scenario as this run plans it."""

    id: str
    suite: str
    axes: dict  # its axis values (core/axes.AXES), plain Python values
    lane: int
    round: int  # the round its records call for (theirs if complete, else the next)
    complete: bool  # every clone has a valid record of one round: nothing to run
    problems: tuple = ()  # why a scenario that ran is incomplete, one line each
    before: str | None = None  # the scenario that runs before it in its lane, this run
    compared: bool = True  # what its round's jobs wrote was seen (else compared this run)
    notes: dict = field(default_factory=dict)  # an explicit row's notes (seed table)

    @property
    def family(self):
        return family(self.axes["method"])

    @property
    def delivers(self):
        """Its jobs deliver into a round's output repository: a push operation, or a
        whole job (a get, then the run and the delivery its `deliver` axis names)."""
        return self.family == PUSH or (self.family == GET and self.axes["deliver"] != NO_DELIVERY)


@dataclass(frozen=True)
class Plan:
    lanes: int
    scenarios: dict  # id -> Scenario, the matrix's first, each suite in its order
    locations: dict  # name -> {"source_root": ..., "clone_root": ...}
    roots: tuple  # the only trees the workflow ever deletes in (core/roots.safe_remove)
    git_annex_cache: str  # where each git-annex version is installed once
    config: dict = field(default_factory=dict)  # as validated, versions spelled out

    # ---- which scenarios -------------------------------------------------------

    def suite(self, name):
        return [s for s in self.scenarios.values() if s.suite == name]

    def running(self, *families):
        """The scenarios that run a round (of `families`, else all): only they have a
        round to open."""
        return [s.id for s in self.scenarios.values() if not s.complete and (not families or s.family in families)]

    def comparing(self):
        """The scenarios whose round this run compares the shared repositories after:
        those that run, and complete ones whose run ended before it compared them."""
        return [s.id for s in self.scenarios.values() if not s.complete or not s.compared]

    def of_family(self, *families):
        return [s.id for s in self.scenarios.values() if s.family in families]

    def delivering(self, running=True):
        """The scenarios whose rounds deliver into an output repository (Scenario.
        delivers): those that run a round, or all."""
        return [s.id for s in self.scenarios.values() if s.delivers and not (running and s.complete)]

    def files(self, scenario):
        s = self.scenarios[scenario]
        return ScenarioFiles(s.id, s.axes, s.lane, s.round, self.locations[s.axes["location"]])

    def dataset_dir(self, location, manifest):
        return dataset_dir(self.locations[location], location, manifest)

    # ---- what each rule reads -----------------------------------------------------

    def round_inputs(self, scenario, babs_project=True):
        """What must exist before a scenario's round opens: its lane's datasets (no
        dataset job may touch an origin while gets race from it), what the jobs of the
        scenario before it in its lane this run wrote into their shared origins (after
        all of them ended, and it was put back) and, for BABS, its project."""
        s = self.scenarios[scenario]
        made = self.lane_datasets(s.suite, s.axes["location"], s.lane)
        babs = [self.files(scenario).babs_project] if babs_project and s.family == BABS else []
        return sorted(set().union(*made.values())) + ([self.files(s.before).writes] if s.before else []) + babs

    def round_opening(self, scenario):
        """What opening a round needs: its lane, and the repositories its jobs share
        (snapshotted before the ticket is written)."""
        return {"lane": self.scenarios[scenario].lane, "shared": self.shared_repositories(scenario)}

    def shared_repositories(self, scenario):
        """The repositories a scenario's jobs share, by name: [kind, manifest, subpath]
        (kind "store": a RIA store, all its datasets; observe/snapshot.py). The
        prefetched copy is not among them: jobs link to its file, never run in it. A
        push scenario's jobs share only their round's output repository (verified after)."""
        s, files = self.scenarios[scenario], self.files(scenario)
        needs = files.needs()
        if not needs:
            return {}
        shared = {"container_source": ["repository", needs["container_source"], ""]}
        if s.family == BABS:  # its tasks get from its container dataset, clone BABS's store
            shared["BABS input RIA store"] = ["store", files.babs_project, ""]
        else:
            shared |= {"source_ds": ["repository", needs["source_ds"], ""],
                       "source_ds's containers": ["repository", needs["source_ds"], "containers"]}
        if "ria" in needs:
            shared["input RIA store"] = ["store", needs["ria"], ""]
        return shared

    def clone_job(self, scenario, clone):
        """What clone job `clone` of a get, init or push scenario reads and where it works."""
        s, files = self.scenarios[scenario], self.files(scenario)
        reads = {"origin": files.output_repository} if s.family == PUSH else {
            "origin": files.cloned(), "image": files.needs()["container_source"],
            "prefetch": files.needs().get("prefetch"), "output": files.output_repository if s.delivers else None}
        return CloneJobSpec(scenario={"scenario": scenario, **s.axes}, clone=clone, clone_dir=files.clone_dir(clone),
                            barriers=files.barriers, location=files.location_probe, git_annex=files.git_annex,
                            round=files.ticket, **reads)

    def clone_node(self, clone):
        """sbatch's option placing clone job `clone` on its node of `spread_nodes` ("" if none)."""
        nodes = self.config.get("spread_nodes") or []
        return f"--nodelist={nodes[clone % len(nodes)]}" if nodes else ""

    def compare_inputs(self, scenario):
        """The round's snapshot before, its records, and (a late comparison) what the
        scenario before it in its lane wrote: never while another round acts."""
        s, files = self.scenarios[scenario], self.files(scenario)
        return {"snapshot": files.snapshot, "records": files.records,
                "before": [self.files(s.before).writes] if s.before else []}

    def babs_project(self, scenario):
        """What a BABS scenario's round hands `babs init` and its tasks."""
        s, files = self.scenarios[scenario], self.files(scenario)
        needs = files.needs()
        return BabsProjectSpec(scenario={"scenario": scenario, **s.axes}, root=files.babs_root, ticket=files.ticket,
                               barriers=files.barriers, facts_file=files.babs_task("{clone}"),
                               container_source=needs["container_source"], container_store=needs.get("ria"))

    def babs_project_inputs(self, scenario):
        """What `babs init` reads: the round's inputs less its project, the scenario's
        git-annex and its container dataset."""
        return {"before": self.round_inputs(scenario, babs_project=False),
                "git_annex": self.files(scenario).git_annex, **self.babs_project(scenario).inputs()}

    # ---- lanes and their sources -------------------------------------------------

    def lane_datasets(self, suite, location, lane):
        """The manifests of the datasets a lane makes in a location for a suite, by
        kind (files.KINDS): those its scenarios need; lane 0 also makes what every
        lane's scenarios link to (ScenarioFiles.lane_0_needs)."""
        made = {kind: set() for kind in KINDS}
        for s in self.suite(suite):
            if s.axes["location"] != location:
                continue
            files = self.files(s.id)
            needs = (files.needs() if s.lane == lane else {}) | (files.lane_0_needs() if lane == 0 else {})
            for kind, manifest in needs.items():
                made[kind].add(manifest)
        return made

    def source_verifications(self, suite):
        """The verifications of the sources after a suite: one per lane in use in each
        location, and lane 0's, which holds the image."""
        used = {}
        for s in self.suite(suite):
            used.setdefault(s.axes["location"], {0}).add(s.lane)
        return [layout.SOURCES.format(suite=suite, location=location, lane=lane)
                for location, lanes in used.items() for lane in sorted(lanes)]

    def source_verification_inputs(self, suite, location, lane):
        """A lane's source datasets in a location (what its clones fetched from, by
        kind) and the writes of its scenarios there: it runs once they are done,
        while other lanes may still run. Lane 0's reads the image every lane links
        to in full, so it waits for every clone of the location; a later lane's
        names lane 0's container_source, whose image lane 0 verifies."""
        made = self.lane_datasets(suite, location, lane)
        here = [s for s in self.suite(suite) if s.axes["location"] == location]
        waits_for = here if lane == 0 else [s for s in here if s.lane == lane]
        lane_0 = set() if lane == 0 else {
            self.files(s.id).lane_0_needs()["container_source"] for s in waits_for if self.files(s.id).needs()}
        return {kind: sorted(made[kind]) for kind in ("container_source", "source_ds", "ria")} | {
            "lane_0": sorted(lane_0),
            # after the snapshots: the verification's own clone of a store is not the jobs'
            "writes": [self.files(s.id).writes for s in waits_for],
        }

    # ---- what the summary reads --------------------------------------------------

    def summary_inputs(self, suite):
        """What a suite's summary reads: every record, what the jobs wrote, the output
        repositories verified and the sources verified."""
        return {"records": [c["record"] for c in self.expected_clones(suite)], "writes": self.all_writes(suite),
                "verified": self.output_verifications(suite), "sources": self.source_verifications(suite)}

    def all_writes(self, suite):
        return [self.files(s.id).writes for s in self.suite(suite)]

    def output_verifications(self, suite):
        return [self.files(s.id).output_verified for s in self.suite(suite) if s.delivers]

    def expected_clones(self, suite):
        """Every clone of a suite: its record, its log, its scenario's axis values and
        its location's probe (what the summary needs to rebuild a clone whose job
        died without a record)."""
        return [
            {"record": files.record(clone), "log": files.log(clone), "scenario": {"scenario": s.id, **s.axes},
             "clone": clone, "probe": files.location_probe}
            for s in self.suite(suite) for files in [self.files(s.id)] for clone in files.clones
        ]

    def row_notes(self):
        """The notes of explicit matrix rows (e.g. what the seed notes say), by scenario."""
        return {s.id: s.notes for s in self.suite("matrix") if any(s.notes.values())}

    def summary_settings(self, configfiles):
        """What the summary's rules (and the summary of a failed run) are given, once:
        the run's `configfiles` are repeated in the commands that rerun a scenario."""
        return {**{k: self.config[k] for k in ("max_skew", "max_rounds", "heatmap")}, "notes": self.row_notes(),
                "configfiles": configfiles}

    def card_labels(self, scenario, verdict):
        """A scenario card's labels in the Snakemake report: axes to sort by, its verdict."""
        axes = self.scenarios[scenario].axes
        return {"git-annex": axes["git_annex"], "method": axes["method"], "workaround": axes["workaround"],
                "verdict": verdict}

    def describe(self):
        """What this run will do, a line each, for the log."""
        lines = [
            f"scenario {s.id} is incomplete ({'; '.join(s.problems)}): "
            f"all its {s.axes['n_clones']} clones rerun, round {s.round}"
            for s in self.scenarios.values() if s.problems
        ]
        matrix = self.suite("matrix")
        lines.append(f"{len(matrix)} scenarios in {len({s.lane for s in matrix})} lanes")
        return lines + [
            f"location {name}: source_root {roots['source_root']}, clone_root {roots['clone_root']}"
            for name, roots in self.locations.items()
        ]


def fixed_version(config):
    """The release `snakemake check` tries as the upgrade: the newest configured."""
    return max((v for v in config["git_annex"] if v != SYSTEM), key=version_key, default=None)


def build(config, progress, executor):
    """The plan of a run: the scenario tables of both suites (matrix.tables), each
    scenario's round from what its records and files show (rounds.decide), the
    lanes and who runs in which (lanes.py), and the order within each lane.

    `config`: validated, its locations' roots and git_annex_cache absolute, its
    versions spelled out; `progress`: planning/progress.observe of the same
    scenarios; `executor`: an Executor. Raises ValueError with one line naming the key.
    """
    suites = tables(config, fixed_version(config))
    n_clones = max(int(t["n_clones"].max()) for t in suites.values())
    lanes = resolve_lanes(config["lanes"], max(map(len, suites.values())), n_clones,
                          executor.cores, executor.jobs, executor.local_slots)
    rounds = {sid: decide(progress.scenarios[sid], config["max_skew"], config["max_rounds"])
              for table in suites.values() for sid in table.index}
    # a complete scenario keeps the lane it ran in: a slice makes no dataset for it
    kept = {sid: r.lane for sid, r in rounds.items() if r.complete}
    scenarios = {}
    for suite, table in suites.items():
        lane_of = assign_lanes(table, lanes, config["backoff"], kept)
        last = {}  # lane -> the last scenario that acts in it, in table order
        for sid, row in table.to_dict("index").items():
            r = rounds[sid]
            acts = not r.complete or not r.compared  # it has a round, or a comparison, to run
            before = last.get(lane_of[sid]) if acts else None
            if acts:
                last[lane_of[sid]] = sid
            scenarios[sid] = Scenario(
                id=sid, suite=suite, axes={a: _plain(row[a]) for a in AXES}, lane=lane_of[sid],
                round=r.number, complete=r.complete, problems=r.problems, before=before, compared=r.compared,
                notes={k: _plain(v) for k, v in row.items() if k not in AXES},
            )
    if progress.babs_problem and any(s.family == BABS for s in scenarios.values()):
        raise ValueError(progress.babs_problem)
    locations = {name: {role: str(config["locations"][name][role]) for role in ("source_root", "clone_root")}
                 for name in config["location"]}
    roots = {root for loc in locations.values() for root in loc.values()} | {str(config["git_annex_cache"])}
    return Plan(lanes, scenarios, locations, tuple(sorted(roots)), str(config["git_annex_cache"]), config)


def _plain(value):
    """numpy's scalars as Python's (the plan is JSON)."""
    return value.item() if hasattr(value, "item") else value
