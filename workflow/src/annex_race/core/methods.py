"""The table of methods: every value of the `method` axis, what kind of step it is and
what it needs. Every other place reads it: the configuration schema's enum (a test
holds them equal), the matrix (which axes mean nothing for a method), the plan
(which datasets its jobs read, which rule runs it), the jobs, the record's contract
and the report. Adding a method is a row here and the code that runs it.

A method is the step a scenario's clone jobs take at the barrier; its family says
which pipeline runs it:
- get: fetch the image (jobs/clone_job.py);
- init: `git annex init` in a plain clone of the input RIA store, nothing fetched;
- push: deliver a result into the round's output repository (jobs/push.py);
- babs: the real BABS's job array, whose tasks get, run and deliver (jobs/babs.py).

A get method's job goes on, as an array task of BABS or FAIRly-big does: it runs a
stand-in (`datalad run`, reading the whole image) and delivers the result the way
its `deliver` axis says (DELIVERIES below). The real BABS delivers its own way
(`deliver_as`); an init or push operation is one step and delivers nothing more.
"""

from dataclasses import dataclass

GET, INIT, PUSH, BABS = "get", "init", "push", "babs"
FAMILIES = (GET, INIT, PUSH, BABS)

# which input datasets a method's jobs read, besides container_source (the image's key)
CLONE = "clone"  # what clone_from says: source_ds itself, or its input RIA store
CONTAINER_DATASET = "container dataset"  # BABS: with storage_sibling on, the input RIA store with it

# the kinds of output repository a push operation delivers into
RIA, ANNEX, NONBARE = "ria", "annex", "nonbare"

# input-side axes: they say nothing about a method whose jobs read no input dataset
_INPUT_SIDE = (("storage_sibling", "on"), ("clone_from", "source"), ("transport", "ssh"), ("workaround", "prefetch"))


@dataclass(frozen=True)
class Delivery:
    """What a push operation delivers, into which kind of output repository."""

    into: str  # RIA | ANNEX | NONBARE
    same_key: bool  # every job's result has the same content (one key)
    pushes_branch: bool  # the job's branch must be in the output repository after
    pushes_content: str | None  # the remote its key must be in after: "origin", "output-storage"
    reproducer: str  # its standalone reproducer (report/reproducers/<name>.sh)
    reproducer_env: str = ""  # the reproducer's settings for this operation


@dataclass(frozen=True)
class Method:
    name: str
    family: str  # GET | INIT | PUSH | BABS
    reads: str | None  # CLONE | CONTAINER_DATASET | None: the input datasets its jobs read
    meaningless: tuple = ()  # (axis, value) pairs that say nothing about it
    datalad: bool = False  # its step runs DataLad (DataLad's debug output is passed through)
    delivery: Delivery | None = None  # a push operation's
    # what upstream leads one to expect, where a source says so firmly: (verdict,
    # cause, who says so); the report puts the observation beside it
    upstream: tuple | None = None
    # the deliver axis's value its jobs take whatever the axis says (None: the axis's)
    deliver_as: str | None = None


# the record fields only some families fill (core/record.py holds every record to it)
FILLS = {
    GET: ("arrival", "arrival_evidence", "run", "pushed", "steps"),  # the last three: a whole job's
    INIT: (),
    PUSH: ("pushed", "steps"),
    BABS: ("arrival", "arrival_evidence", "delivered", "delivery_evidence", "run", "steps"),
}
FAMILY_FIELDS = frozenset(field for fields in FILLS.values() for field in fields)


def _push(name, delivery, upstream=None, datalad=False):
    return Method(name, PUSH, None, _INPUT_SIDE, datalad, delivery, upstream, NO_DELIVERY)


NO_DELIVERY = "none"
BABS_DELIVERY = "babs"


_ORA = "DataLad's ora_remote.py renames each upload into place"
METHODS = {m.name: m for m in (
    Method("datalad-get", GET, CLONE, datalad=True),
    Method("containers-run", GET, CLONE, datalad=True),
    Method("annex-get", GET, CLONE),
    Method("annex-init", INIT, CLONE, deliver_as=NO_DELIVERY),
    # BABS makes its own input RIA store, without storage sibling, and its job has no
    # place for a prefetched image (docs/questions.md)
    Method("babs", BABS, CONTAINER_DATASET, (("clone_from", "source"), ("transport", "ssh"),
                                             ("workaround", "prefetch")), datalad=True,
           deliver_as=BABS_DELIVERY),
    _push("push-branch", Delivery(RIA, False, True, None, "push-branch")),
    _push("push-branch-flock", Delivery(RIA, False, True, None, "push-branch", "FLOCK=1"),
          ("PASS", "", "BABS and FAIRly-big push under flock")),
    _push("datalad-push", Delivery(RIA, False, True, "output-storage", "git-annex-branch"),
          ("FAIL", "rejected", "datalad/datalad#4656 (fetch first)"), datalad=True),
    _push("copy-same-key", Delivery(ANNEX, True, False, "origin", "copy-same-key"),
          ("FAIL", "transfer-lock", "git-annex 10.20240430 changelog: prevented by design")),
    _push("push-ora", Delivery(RIA, True, False, "output-storage", "push-special", "SAME_KEY=1"),
          ("PASS", "", _ORA)),
    _push("push-ora-distinct", Delivery(RIA, False, False, "output-storage", "push-special", "SAME_KEY=0"),
          ("PASS", "", _ORA)),
    _push("push-nonbare", Delivery(NONBARE, False, True, "origin", "push-nonbare"),
          ("FAIL", "hang", "con/git-annex#259 (reported, not firm)")),
)}


def family(method):
    return METHODS[method].family


def of_family(*families):
    """The methods of `families`, in the table's order."""
    return [name for name, m in METHODS.items() if m.family in families]


# what only a whole job fills, of its family's fields
WHOLE_JOB_FIELDS = ("run", "pushed", "steps")


def fills(method, deliver=NO_DELIVERY):
    """The family-specific record fields a record of `method` (whose scenario
    delivers as `deliver` says) may fill."""
    if family(method) == GET and deliver_value(method, deliver) == NO_DELIVERY:
        return tuple(f for f in FILLS[GET] if f not in WHOLE_JOB_FIELDS)
    return FILLS[family(method)]


# ---- the deliver axis: how a whole job delivers its result ----------------------------
# Into the round's output RIA store: its dataset is the job clone's git remote
# `outputstore`, its ORA storage sibling the special remote `output-storage`, enabled
# in the clone as a clone of BABS's input RIA store autoenables it. `none`: the job
# ends after the get. BABS 0.5.4's participant_job.sh and FAIRly-big's take the same
# two steps (`babs`); the push operations that deliver into a RIA store take theirs.
DELIVERIES = {
    NO_DELIVERY: None,
    BABS_DELIVERY: Delivery(RIA, False, True, "output-storage", "push-special", "SAME_KEY=0 PUSH=1"),
    **{name: m.delivery for name, m in METHODS.items() if m.family == PUSH and m.delivery.into == RIA
       and not m.delivery.same_key},
}
# workarounds of the delivery step: only where a job delivers
DELIVERY_WORKAROUNDS = ("verifyremote", "flock-push")


def deliver_value(method, deliver):
    """The deliver value a scenario of `method` runs with, given the axis's `deliver`."""
    return METHODS[method].deliver_as or deliver


def delivery_of(scenario):
    """The Delivery a scenario's round delivers by: its push operation's, or its
    whole job's (its deliver axis); None if its jobs deliver nothing."""
    method = METHODS[scenario["method"]]
    return method.delivery if method.family == PUSH else DELIVERIES.get(scenario.get("deliver", NO_DELIVERY))
