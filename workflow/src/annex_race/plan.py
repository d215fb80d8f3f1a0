"""The plan: everything a run will do, worked out once, before any job starts.

The main Snakemake process builds it from the validated configuration, the records
on disk and the executor's cores/jobs, and writes it to layout.PLAN when the run
starts. Every job process Snakemake starts (each SLURM job runs `snakemake --mode
remote`) loads that file instead of planning again, so the data flows one way:
configuration and records -> plan -> the rules' inputs -> records.

Words (each means one thing):
- suite: the scenarios one command runs: `matrix` (`snakemake`) or `site`
  (`snakemake check`, "is my site affected?");
- lane: a copy of the dataset chain with origins of its own; the scenarios of a
  lane run one after another (annex_race.lanes);
- round: one run of a scenario, all its clones together through one barrier
  (annex_race.rounds); a scenario that is not complete runs a fresh round.
"""

import fcntl
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import layout
from .capacity import GIT_ANNEX_INSTALL, Need, hardlinks_likely
from .datasets import parse_size
from .push_job import is_push
from .record import INCONCLUSIVE, scenario_verdict

SUITES = ("matrix", "site")
BABS = "babs"  # the method that runs the real BABS (annex_race.babs)
KINDS = ("container_source", "source_ds", "ria", "prefetch")


@dataclass(frozen=True)
class Scenario:
    """One scenario as this run plans it."""

    id: str
    suite: str
    axes: dict  # its axis values (scenarios.AXES), plain Python values
    lane: int
    round: int  # the round its records call for (theirs if complete, else the next)
    complete: bool  # every clone has a valid record of one round: nothing to run
    problems: tuple = ()  # why a scenario that ran is incomplete, one line each
    before: str | None = None  # the scenario that runs before it in its lane, this run
    compared: bool = True  # what its round's jobs wrote was seen (else compared this run)
    notes: dict = field(default_factory=dict)  # an explicit row's notes (seed table)


@dataclass(frozen=True)
class Plan:
    lanes: int
    scenarios: dict  # id -> Scenario, the matrix's first, each suite in its order
    locations: dict  # name -> {"source_root": ..., "clone_root": ...}
    roots: tuple  # the only trees the workflow ever deletes in (paths.safe_remove)
    git_annex_cache: str  # where each git-annex version is installed once
    config: dict = field(default_factory=dict)  # as validated, versions spelled out

    # ---- one scenario ----------------------------------------------------------

    def suite(self, name):
        return [s for s in self.scenarios.values() if s.suite == name]

    def running(self):
        """The scenarios that run a round: only they have a round to open."""
        return [s.id for s in self.scenarios.values() if not s.complete]

    def babs(self, scenario):
        """Whether a scenario runs the real BABS (annex_race.babs), not clone jobs."""
        return self.scenarios[scenario].axes["method"] == BABS

    def running_babs(self, babs=True):
        """The running scenarios that run BABS (`babs=False`: clone jobs)."""
        return [sid for sid in self.running() if self.babs(sid) == babs]

    def push(self, scenario):
        """Whether a scenario runs a push operation (annex_race.push_job)."""
        return is_push(self.scenarios[scenario].axes["method"])

    def running_push(self):
        return [sid for sid in self.running() if self.push(sid)]

    def output_store(self, scenario):
        """The manifest of a push scenario's output store, one per round."""
        return layout.OUTPUT_STORE.format(scenario=scenario, round=self.scenarios[scenario].round)

    def output_store_dir(self, scenario):
        """Where a push scenario's round keeps its output store: under source_root,
        where a cluster's stores live."""
        s = self.scenarios[scenario]
        root = self.locations[s.axes["location"]]["source_root"]
        return str(Path(root) / "outputs" / scenario / f"round-{s.round}")

    def output_checker_dir(self, scenario):
        """Where the check of a push scenario's output store clones it (then removed)."""
        return str(Path(self.clone_dir(scenario, 0)).with_name("output-check"))

    def git_annex_manifest(self, scenario):
        return layout.GIT_ANNEX.format(version=self.scenarios[scenario].axes["git_annex"])

    def babs_project(self, scenario):
        return layout.BABS_PROJECT.format(scenario=scenario, round=self.scenarios[scenario].round)

    def babs_run(self, scenario):
        return layout.BABS_RUN.format(scenario=scenario, round=self.scenarios[scenario].round)

    def babs_tasks(self, scenario):
        return layout.BABS_TASKS.format(scenario=scenario, round=self.scenarios[scenario].round)

    def babs_root(self, scenario):
        """Where a BABS scenario's round keeps its project, inputs and scratch."""
        s = self.scenarios[scenario]
        root = self.locations[s.axes["location"]]["clone_root"]
        return str(Path(root) / scenario / f"babs-round-{s.round}")

    def babs_project_inputs(self, scenario):
        """What `babs init` reads: the round's inputs less its project, the scenario's
        git-annex and the image's container_source."""
        s = self.scenarios[scenario]
        datasets = self.datasets(scenario)
        # a storage sibling: BABS's container dataset is container_source's copy in the
        # lane's RIA store with a storage sibling (its image in the store's ORA remote)
        store = {"store": datasets["cloned"]} if s.axes["storage_sibling"] == "on" else {}
        return {"before": self.round_inputs(scenario, project=False),
                "git_annex": layout.GIT_ANNEX.format(version=s.axes["git_annex"]),
                "container_source": datasets["container_source"], **store}

    def babs_record_inputs(self, scenario):
        location = self.scenarios[scenario].axes["location"]
        return {"run": self.babs_run(scenario), "location": layout.LOCATION_PROBE.format(location=location)}

    def babs_run_inputs(self, scenario):
        return {"round": self.round_ticket(scenario), "project": self.babs_project(scenario),
                "git_annex": layout.GIT_ANNEX.format(version=self.scenarios[scenario].axes["git_annex"]),
                "location": layout.LOCATION_PROBE.format(location=self.scenarios[scenario].axes["location"])}

    def comparing(self):
        """The scenarios whose round this run compares the shared repositories after:
        those that run, and complete ones whose run ended before it compared them."""
        return [s.id for s in self.scenarios.values() if not s.complete or not s.compared]

    def compare_inputs(self, scenario):
        """The round's snapshot before, its records, and (a late comparison) what
        the scenario before it in its lane wrote: never while another round acts."""
        s = self.scenarios[scenario]
        store = {"store": self.output_store(scenario)} if self.push(scenario) else {}
        return {"snapshot": self.snapshot(scenario), "records": self.records(scenario),
                "before": [self.writes(s.before)] if s.before else [], **store}

    def records(self, scenario):
        n = self.scenarios[scenario].axes["n_clones"]
        return [layout.RECORD.format(scenario=scenario, clone=c) for c in range(n)]

    def clone_logs(self, scenario):
        n = self.scenarios[scenario].axes["n_clones"]
        return {c: layout.CLONE_LOG.format(scenario=scenario, clone=c) for c in range(n)}

    def round_ticket(self, scenario):
        s = self.scenarios[scenario]
        return layout.ROUND.format(scenario=scenario, round=s.round)

    def clone_dir(self, scenario, clone):
        root = self.locations[self.scenarios[scenario].axes["location"]]["clone_root"]
        return str(Path(root) / scenario / f"clone-{clone}")

    def dataset_dir(self, location, manifest):
        """The dataset a manifest describes: the same relative path under its
        location's source_root, without .json (layout)."""
        relative = Path(manifest).relative_to(f"results/datasets/{location}")
        return str(Path(self.locations[location]["source_root"]) / relative.with_suffix(""))

    def datasets(self, scenario):
        """The manifests of what the scenario's clones read, by kind: container_source
        (for the key), what they clone (`cloned`: an input RIA store, or source_ds
        itself) and, for the prefetch workaround, the prefetched copy."""
        s = self.scenarios[scenario]
        chain = _chain(s)
        cloned = (
            layout.SOURCE_DS.format(**chain)
            if s.axes["clone_from"] == "source"
            else layout.RIA.format(**chain, storage_sibling=s.axes["storage_sibling"])
        )
        datasets = {"container_source": layout.CONTAINER_SOURCE.format(**chain), "cloned": cloned}
        if s.axes["workaround"] == "prefetch":
            datasets["prefetch"] = layout.PREFETCH.format(**chain)
        return datasets

    def shared_repositories(self, scenario):
        """The repositories a scenario's jobs share, by name: [kind, manifest, subpath]
        (kind "store": a RIA store, all its datasets; annex_race.snapshot). The
        prefetched copy is not among them: jobs link to its file, never run in it."""
        s = self.scenarios[scenario]
        chain = _chain(s)
        if self.push(scenario):  # its jobs share only their round's output store (checked after)
            return {}
        if self.babs(scenario):  # its tasks get from its container dataset, clone BABS's store
            shared = {"container_source": ["repository", layout.CONTAINER_SOURCE.format(**chain), ""],
                      "BABS input RIA store": ["store", self.babs_project(scenario), ""]}
            if s.axes["storage_sibling"] == "on":
                shared["input RIA store"] = ["store", self.datasets(scenario)["cloned"], ""]
            return shared
        source_ds = layout.SOURCE_DS.format(**chain)
        shared = {
            "container_source": ["repository", layout.CONTAINER_SOURCE.format(**chain), ""],
            "source_ds": ["repository", source_ds, ""],
            "source_ds's containers": ["repository", source_ds, "containers"],
        }
        if s.axes["clone_from"] == "ria":
            shared["input RIA store"] = ["store", self.datasets(scenario)["cloned"], ""]
        return shared

    def snapshot(self, scenario):
        s = self.scenarios[scenario]
        return layout.SNAPSHOT.format(scenario=scenario, round=s.round)

    def writes(self, scenario):
        """What the jobs of the scenario's round wrote into its shared repositories."""
        s = self.scenarios[scenario]
        return layout.WRITES.format(scenario=scenario, round=s.round)

    def all_writes(self, suite):
        return [self.writes(s.id) for s in self.suite(suite)]

    def clone_inputs(self, scenario):
        """What a clone job reads: its location's probe, its git-annex, its round's
        ticket, and the datasets it clones and gets from."""
        axes = self.scenarios[scenario].axes
        return {
            "location": layout.LOCATION_PROBE.format(location=axes["location"]),
            "git_annex": layout.GIT_ANNEX.format(version=axes["git_annex"]),
            "round": self.round_ticket(scenario),
            **({"store": self.output_store(scenario)} if self.push(scenario) else self.datasets(scenario)),
        }

    def round_inputs(self, scenario, project=True):
        """What must exist before a scenario's round opens: its lane's datasets (no
        dataset job may touch an origin while gets race from it) and what the jobs of
        the scenario before it in its lane this run wrote into their shared origins
        (after all of them ended, and it was put back)."""
        s = self.scenarios[scenario]
        made = self.lane_datasets(s.suite, s.axes["location"], s.lane)
        babs = [self.babs_project(scenario)] if project and self.babs(scenario) else []
        return sorted(set().union(*made.values())) + ([self.writes(s.before)] if s.before else []) + babs

    # ---- lanes and their sources ---------------------------------------------

    def lane_datasets(self, suite, location, lane):
        """The manifests of the datasets a lane makes in a location for a suite, by
        kind: those its scenarios use. Lane 0 always has container_source, whose
        image the other lanes link to, and the prefetched copy, fetched from lane 0's
        store: no dataset job touches an origin while gets race from it."""
        made = {kind: set() for kind in KINDS}
        here = [s for s in self.suite(suite) if s.axes["location"] == location]
        for s in here:
            if s.lane != lane or is_push(s.axes["method"]):  # a push scenario makes its own store
                continue
            chain = _chain(s)
            made["container_source"].add(layout.CONTAINER_SOURCE.format(**chain))
            if s.axes["method"] == BABS and s.axes["storage_sibling"] == "off":
                continue  # BABS makes its own analysis dataset and input RIA store
            made["source_ds"].add(layout.SOURCE_DS.format(**chain))
            if s.axes["clone_from"] == "ria":
                made["ria"].add(layout.RIA.format(**chain, storage_sibling=s.axes["storage_sibling"]))
            if s.axes["workaround"] == "prefetch":
                made["prefetch"].add(layout.PREFETCH.format(**chain))
        if lane == 0:
            for s in (s for s in here if not is_push(s.axes["method"])):
                chain = _chain(s) | {"lane": 0}
                made["container_source"].add(layout.CONTAINER_SOURCE.format(**chain))
                if s.axes["workaround"] == "prefetch":
                    made["prefetch"].add(layout.PREFETCH.format(**chain))
        return made

    def source_verifications(self, suite):
        """The verifications of the sources after a suite: one per lane in use in each
        location, and lane 0's, which holds the image."""
        used = {}
        for s in self.suite(suite):
            used.setdefault(s.axes["location"], {0}).add(s.lane)
        return [
            layout.SOURCES.format(suite=suite, location=location, lane=lane)
            for location, lanes in used.items()
            for lane in sorted(lanes)
        ]

    def source_verification_inputs(self, suite, location, lane):
        """A lane's source datasets in a location (what its clones fetched from, by
        kind) and the records of its scenarios there: it runs once they are done,
        while other lanes may still run. Lane 0's reads the image every lane links
        to in full, so it waits for every clone of the location; a later lane's
        names lane 0's container_source, whose image lane 0 verifies."""
        made = self.lane_datasets(suite, location, lane)
        here = [s for s in self.suite(suite) if s.axes["location"] == location]
        waits_for = here if lane == 0 else [s for s in here if s.lane == lane]
        lane_0 = set() if lane == 0 else {
            layout.CONTAINER_SOURCE.format(**_chain(s) | {"lane": 0}) for s in waits_for
        }
        return {kind: sorted(made[kind]) for kind in ("container_source", "source_ds", "ria")} | {
            "lane_0": sorted(lane_0),
            # after the snapshots: the check's own clone of a store is not the jobs'
            "writes": [self.writes(s.id) for s in waits_for],
        }

    # ---- what the summary reads ------------------------------------------------

    def expected_clones(self, suite):
        """Every clone of a suite: its record, its log, its scenario's axis values and
        its location's probe (what the summary needs to rebuild a clone whose job
        died without a record)."""
        return [
            {
                "record": layout.RECORD.format(scenario=s.id, clone=clone),
                "log": layout.CLONE_LOG.format(scenario=s.id, clone=clone),
                "scenario": {"scenario": s.id, **s.axes},
                "clone": clone,
                "probe": layout.LOCATION_PROBE.format(location=s.axes["location"]),
            }
            for s in self.suite(suite)
            for clone in range(s.axes["n_clones"])
        ]

    def row_notes(self):
        """The notes of explicit matrix rows (e.g. what the seed notes say), by scenario."""
        return {s.id: s.notes for s in self.suite("matrix") if any(s.notes.values())}

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

    # ---- free space -------------------------------------------------------------

    def space_needs(self, keep_clones, missing_versions=None, hardlinked=None,
                    exists=os.path.exists):
        """What the planned scenarios will write under each root (capacity.Need), not
        counting datasets that exist already: every copy a full one, but a later
        lane's copies of lane 0's image where `hardlinked(location)` says links work
        (default: the location's probe, or, before it, whether they are likely).
        A scenario's clones are removed when it is done (unless `keep_clones`), so
        each lane holds one scenario's clones at once. `missing_versions`: the
        git-annex versions to install (default: those not in the cache)."""
        hardlinked = hardlinked or self.hardlinks_work
        if missing_versions is None:  # not installed in the cache yet
            from .versions import SYSTEM, installed

            wanted = {s.axes["git_annex"] for s in self.scenarios.values()} - {SYSTEM}
            missing_versions = [v for v in wanted if not installed(self.git_annex_cache, v)]
        needs = []
        for name, roots in self.locations.items():
            here = [s for s in self.scenarios.values() if s.axes["location"] == name]
            if not here:
                continue
            linked = hardlinked(name)
            cost = {}  # manifest -> the bytes of the dataset it describes
            for s in here:
                image = parse_size(s.axes["image_size"])
                if is_push(s.axes["method"]):  # its round's store: every job's result
                    cost[self.output_store(s.id)] = s.axes["n_clones"] * image
                    continue
                chain = _chain(s)
                # lane 0's container_source holds the image the other lanes link to
                cost[layout.CONTAINER_SOURCE.format(**chain | {"lane": 0})] = image
                full = image if s.lane == 0 or not linked else 0
                datasets = self.datasets(s.id)
                cost[datasets["container_source"]] = full
                if s.axes["method"] == BABS and s.axes["storage_sibling"] == "off":
                    continue  # BABS's projects are small; its tasks' clones are counted below
                # source_ds hardlinks its container_source's image (a copy where it cannot)
                cost[layout.SOURCE_DS.format(**chain)] = 0 if linked else image
                if s.axes["clone_from"] == "ria" and s.axes["storage_sibling"] == "on":
                    cost[datasets["cloned"]] = full  # the store's copy, until linked
                if s.axes["workaround"] == "prefetch":
                    cost[datasets["prefetch"]] = image
            made = sum(n for manifest, n in cost.items() if not exists(manifest))
            # verifying a store with a storage sibling copies its image once
            made += max((parse_size(s.axes["image_size"]) for s in here
                         if s.axes["clone_from"] == "ria" and s.axes["storage_sibling"] == "on"),
                        default=0)
            needs.append(Need(f"locations.{name}.source_root", Path(roots["source_root"]), made,
                              "datasets, RIA stores and their verification"))
            biggest = max(parse_size(s.axes["image_size"]) for s in here)
            lanes = len({s.lane for s in here})
            at_once = (sum(s.axes["n_clones"] for s in here) if keep_clones
                       else lanes * max(s.axes["n_clones"] for s in here))
            needs.append(Need(f"locations.{name}.clone_root", Path(roots["clone_root"]),
                              at_once * biggest, f"{at_once} clones"))
        needs.append(Need("git_annex_cache", Path(self.git_annex_cache),
                          len(missing_versions) * GIT_ANNEX_INSTALL,
                          f"{len(missing_versions)} git-annex versions"))
        return needs

    def hardlinks_work(self, location):
        """Whether a later lane's image will be a hardlink: as the location's probe
        found, or, before it ran (nothing may be created yet), as likely."""
        probe = Path(layout.LOCATION_PROBE.format(location=location))
        if probe.exists():
            return json.loads(probe.read_text())["hardlink"]
        return hardlinks_likely(self.locations[location]["source_root"])

    # ---- written once, loaded by every job -------------------------------------

    def write(self, path=layout.PLAN):
        """Write the plan for this run's jobs, and hold it while this process lives:
        another run in the same directory (`snakemake check` during the matrix, a
        second terminal) would replace the plan under the first one's jobs, and its
        scenarios share their lanes' origins, so it is refused (PlanInUse)."""
        global _held
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = str(path.absolute().with_suffix(".lock"))
        if _held is None or _held.name != lock_path:
            lock = open(lock_path, "a+")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "?"
                lock.close()
                raise PlanInUse(
                    f"{path}: another run of annex-race in this directory (pid {holder}) is "
                    "using its plan; wait for it to end (its scenarios share origins with this run's)"
                ) from None
            except OSError:  # a filesystem without locks: nothing to guard with
                pass
            lock.truncate(0)
            lock.write(str(os.getpid()))
            lock.flush()
            if _held is not None:
                _held.close()
            _held = lock
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1) + "\n")
        tmp.rename(path)


_held = None  # the lock on the plan this process wrote, held until it ends


class PlanInUse(ValueError):
    """Another run in the same working directory holds its plan."""


class PlanMissing(ValueError):
    """A job process found no plan: its run did not write one."""


def load(path=layout.PLAN):
    """The plan the main process wrote when the run started."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise PlanMissing(
            f"{path}: no plan; a job of annex-race runs only inside a run that wrote one "
            "(not with --no-hooks)"
        ) from None
    scenarios = {
        sid: Scenario(**{**s, "problems": tuple(s["problems"])}) for sid, s in data["scenarios"].items()
    }
    return Plan(data["lanes"], scenarios, data["locations"], tuple(data["roots"]),
                data["git_annex_cache"], data["config"])


def _chain(s):
    """What tells a scenario's datasets apart: location, lane, image size, transport."""
    a = s.axes
    return {"location": a["location"], "lane": s.lane, "size": a["image_size"], "transport": a["transport"]}


def build(config, locations, git_annex_cache, cores, jobs, local_slots=None, fixed_version=None):
    """The plan of a run: the scenario tables of both suites (scenarios.py), each
    scenario's round from its records (rounds.py), the lanes and who runs in which
    (lanes.py), and the order within each lane.

    `locations`: name -> locations.Location and `git_annex_cache`: validated
    roots, the only trees the workflow deletes in; `cores`, `jobs`: the executor's --cores and --jobs (None locally);
    `local_slots`: how many jobs the local executor runs at once, if it cannot make
    room for every job it starts (compat); `fixed_version`: the release `snakemake
    check` tries as the upgrade. Raises ValueError with one line naming the key.
    """
    from .lanes import assign_lanes, resolve_lanes
    from .rounds import scenario_round
    from .scenarios import AXES, check_table, scenario_table

    tables = {"matrix": scenario_table(config), "site": check_table(config, fixed_version)}
    n_clones = max(int(t["n_clones"].max()) for t in tables.values())
    lanes = resolve_lanes(config["lanes"], max(map(len, tables.values())), n_clones,
                          cores, jobs, local_slots)
    rounds = {}
    for table in tables.values():
        for sid, n in table["n_clones"].items():
            r = scenario_round([layout.RECORD.format(scenario=sid, clone=c) for c in range(n)])
            r = honest_or_next(r, config["max_skew"], config["max_rounds"])
            rounds[sid] = opened_once(sid, observed_writes(sid, r))
    # a complete scenario keeps the lane it ran in: a slice makes no dataset for it
    kept = {sid: r.lane for sid, r in rounds.items() if r.complete}
    scenarios = {}
    for suite, table in tables.items():
        lane_of = assign_lanes(table, lanes, config["backoff"], kept)
        last = {}  # lane -> the last scenario that runs in it, in table order
        for sid, row in table.to_dict("index").items():
            r = rounds[sid]
            compared = Path(layout.WRITES.format(scenario=sid, round=r.number)).exists()
            acts = not r.complete or not compared  # it has a round, or a comparison, to run
            before = last.get(lane_of[sid]) if acts else None
            if acts:
                last[lane_of[sid]] = sid
            scenarios[sid] = Scenario(
                id=sid, suite=suite, axes={a: _plain(row[a]) for a in AXES}, lane=lane_of[sid],
                round=r.number, complete=r.complete, problems=tuple(r.problems), before=before,
                compared=compared or not r.complete,
                notes={k: _plain(v) for k, v in row.items() if k not in AXES},
            )
    if any(s.axes["method"] == BABS for s in scenarios.values()):
        from .babs import check_ready

        if problem := check_ready(config["babs_env"]):
            raise ValueError(problem)
    roots = {str(r) for loc in locations.values() for r in (loc.source_root, loc.clone_root)}
    return Plan(
        lanes,
        scenarios,
        {name: {"source_root": str(loc.source_root), "clone_root": str(loc.clone_root)}
         for name, loc in locations.items()},
        tuple(sorted(roots | {str(git_annex_cache)})),
        str(git_annex_cache),
        config,
    )


def honest_or_next(r, max_skew, max_rounds):
    """A scenario is complete only with an honest verdict: PASS, or FAIL with a cause
    of git-annex's or DataLad's. One that ran to an INCONCLUSIVE end (a clone killed,
    cancelled, requeued, alone at its barrier; gets not concurrent) takes the next
    round, until it has had `max_rounds`: then it is kept, INCONCLUSIVE."""
    if not r.complete or r.number >= max_rounds:
        return r
    records = [x.asdict() for x in r.records]
    verdict, detail = scenario_verdict(records, records[0]["n_clones"], max_skew)
    if verdict != INCONCLUSIVE:
        return r
    return replace(r, number=r.number + 1, complete=False, problems=[f"INCONCLUSIVE: {detail}"])


def observed_writes(scenario, r):
    """A complete scenario whose writes cannot be observed (no snapshot before its
    round: run before annex-race took them, or removed) runs again, in the next
    round. One with its snapshot but no comparison (its run stopped first) is
    compared this run."""
    round = {"scenario": scenario, "round": r.number}
    seen = (Path(pattern.format(**round)).exists() for pattern in (layout.SNAPSHOT, layout.WRITES))
    if r.complete and Path(layout.ROUND.format(**round)).exists() and not any(seen):
        return replace(r, number=r.number + 1, complete=False,
                       problems=["what its jobs wrote into shared repositories was not observed"])
    return r


def opened_once(scenario, r):
    """A round is opened once: its ticket names the barrier its siblings met at, and
    a second opening would meet the first one's arrivals. An incomplete scenario
    whose round was opened (an interrupted run) takes the next round; a complete
    one whose ticket is gone (results/rounds removed) runs again, in the next."""
    opened = Path(layout.ROUND.format(scenario=scenario, round=r.number)).exists()
    if r.complete and not opened:
        return replace(r, number=r.number + 1, complete=False, problems=["round ticket missing"])
    if not r.complete and opened:
        return replace(r, number=r.number + 1)
    return r


def _plain(value):
    """numpy's scalars as Python's (the plan is JSON)."""
    return value.item() if hasattr(value, "item") else value
