"""One scenario's files: the path questions of the plan, answered from the scenario
(its axes, lane and round) and its location's roots, with the patterns of
core/layout.py. Pure: nothing here looks at the disk."""

from dataclasses import dataclass
from pathlib import Path

from ..core import layout
from ..core.methods import CLONE, CONTAINER_DATASET, METHODS

# the kinds of input dataset a lane makes (rules of workflow/rules/datasets.smk)
KINDS = ("container_source", "source_ds", "ria", "prefetch")


def chain(axes, lane):
    """What tells a scenario's datasets apart: location, lane, image size, transport."""
    return {"location": axes["location"], "lane": lane, "size": axes["image_size"], "transport": axes["transport"]}


@dataclass(frozen=True)
class ScenarioFiles:
    scenario: str
    axes: dict
    lane: int
    round: int
    roots: dict  # its location's {"source_root", "clone_root"}

    def _round(self, pattern, **more):
        return pattern.format(scenario=self.scenario, round=self.round, **more)

    # ---- the round's files ----------------------------------------------------

    @property
    def ticket(self):
        return self._round(layout.ROUND)

    @property
    def snapshot(self):
        return self._round(layout.SNAPSHOT)

    @property
    def writes(self):
        return self._round(layout.WRITES)

    @property
    def barriers(self):
        return layout.BARRIERS.format(scenario=self.scenario)

    @property
    def clones(self):
        return range(self.axes["n_clones"])

    def record(self, clone):
        return layout.RECORD.format(scenario=self.scenario, clone=clone)

    def log(self, clone):
        return layout.CLONE_LOG.format(scenario=self.scenario, clone=clone)

    @property
    def records(self):
        return [self.record(c) for c in self.clones]

    @property
    def logs(self):
        return {c: self.log(c) for c in self.clones}

    @property
    def git_annex(self):
        return layout.GIT_ANNEX.format(version=self.axes["git_annex"])

    @property
    def location_probe(self):
        return layout.LOCATION_PROBE.format(location=self.axes["location"])

    # ---- where its jobs work --------------------------------------------------------

    def clone_dir(self, clone):
        return str(Path(self.roots["clone_root"]) / layout.CLONE_DIR.format(scenario=self.scenario, clone=clone))

    # a push scenario's round delivers into an output repository of its own, under
    # source_root, where a cluster's stores live
    @property
    def output_repository(self):
        return self._round(layout.OUTPUT_REPOSITORY)

    @property
    def output_verified(self):
        return self._round(layout.OUTPUT_VERIFIED)

    @property
    def output_dir(self):
        return str(Path(self.roots["source_root"]) / self._round(layout.OUTPUT_DIR))

    @property
    def verify_dir(self):
        return str(Path(self.roots["clone_root"]) / layout.VERIFY_DIR.format(scenario=self.scenario))

    # a BABS scenario's round: its project, each task's facts, the run after merge
    @property
    def babs_project(self):
        return self._round(layout.BABS_PROJECT)

    def babs_task(self, clone):
        return self._round(layout.BABS_TASK, clone=clone)

    @property
    def babs_run(self):
        return self._round(layout.BABS_RUN)

    @property
    def babs_root(self):
        return str(Path(self.roots["clone_root"]) / self._round(layout.BABS_ROOT))

    # ---- the input datasets -------------------------------------------------------

    def needs(self):
        """The manifests of the input datasets its jobs read, by kind (KINDS): what
        its lane must make before its round opens. A get or init method's jobs clone
        source_ds or its input RIA store (clone_from) and read container_source's
        key; a BABS scenario's container dataset is container_source, or with a
        storage sibling its copy in the input RIA store; a push operation reads none."""
        method = METHODS[self.axes["method"]]
        if method.reads is None:
            return {}
        c = chain(self.axes, self.lane)
        needs = {"container_source": layout.CONTAINER_SOURCE.format(**c)}
        if method.reads == CLONE or (method.reads == CONTAINER_DATASET and self.axes["storage_sibling"] == "on"):
            needs["source_ds"] = layout.SOURCE_DS.format(**c)
            if self.axes["clone_from"] == "ria":
                needs["ria"] = layout.RIA.format(**c, storage_sibling=self.axes["storage_sibling"])
        if self.axes["workaround"] == "prefetch":
            needs["prefetch"] = layout.PREFETCH.format(**c)
        return needs

    def lane_0_needs(self):
        """What lane 0 makes for it: the image every lane links to, and the one
        prefetched copy (fetched from lane 0's store): no dataset job touches an
        origin of a lane while its gets race."""
        needs = self.needs()
        if not needs:
            return {}
        made = {"container_source": layout.CONTAINER_SOURCE.format(**chain(self.axes, 0))}
        return made | ({"prefetch": needs["prefetch"]} if "prefetch" in needs else {})

    def cloned(self):
        """The manifest of the input dataset its clone jobs clone: the RIA store, or
        source_ds itself (clone_from: source)."""
        needs = self.needs()
        return needs.get("ria") or needs["source_ds"]

    def dataset_dir(self, manifest):
        """The dataset a manifest of its location describes: the same relative path
        under source_root, without .json (core/layout.py)."""
        return dataset_dir(self.roots, self.axes["location"], manifest)


def dataset_dir(roots, location, manifest):
    relative = Path(manifest).relative_to(layout.DATASETS.format(location=location))
    return str(Path(roots["source_root"]) / relative.with_suffix(""))
