"""What the plan hands a job: one typed object per job. Its file fields are the
inputs the rule declares (so Snakemake orders the job after what made them); a job
reads its fields and never probes which inputs happen to exist. A field that a
method does not use is None, and the plan says which (core/methods.py)."""

from dataclasses import asdict, dataclass, fields


class _Spec:
    def asdict(self):
        return asdict(self)

    @classmethod
    def of(cls, data):
        """From the mapping the rule hands the script (its `asdict`)."""
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class CloneJobSpec(_Spec):
    """One clone job: one of a scenario's n_clones jobs, run by rule run_clone_job."""

    scenario: dict  # its id ("scenario") and axis values
    clone: int
    clone_dir: str  # where it clones (removed after, unless keep_clones)
    barriers: str  # the scenario's barrier directories; its round's ticket names one
    # manifests and the ticket it reads (the rule's inputs)
    location: str  # the location's probe
    git_annex: str  # the scenario's git-annex
    round: str  # the round's ticket
    origin: str  # what it clones: source_ds or an input RIA store (get, init), the round's output repository (push)
    image: str | None = None  # container_source: the image's key (get, init)
    prefetch: str | None = None  # the prefetched image (workaround prefetch)
    output: str | None = None  # a whole job's: the round's output repository it delivers into

    INPUTS = ("location", "git_annex", "round", "origin", "image", "prefetch", "output")

    def inputs(self):
        """The files it reads, by name: what the rule declares."""
        return {name: getattr(self, name) for name in self.INPUTS if getattr(self, name) is not None}


@dataclass(frozen=True)
class BabsProjectSpec(_Spec):
    """One BABS scenario's round, as rules init_babs_project and run_babs see it."""

    scenario: dict
    root: str  # where its project, inputs and scratch live
    ticket: str  # its round's ticket (the tasks read it when they start)
    barriers: str
    facts_file: str  # where each task writes what it recorded before BABS's job body ({clone} left open)
    container_source: str  # manifest: the image and its key
    # manifest of the input RIA store with storage sibling that holds container_source's
    # copy: BABS's container dataset with storage_sibling on (else container_source)
    container_store: str | None = None

    def inputs(self):
        """The manifests it reads, by name: what the rule declares."""
        return {"container_source": self.container_source,
                **({"container_store": self.container_store} if self.container_store else {})}
