"""After a round that delivers (a push operation's, a whole job's): does its output
repository hold, whole, every result its jobs reported delivered?"""

import json
import subprocess
from pathlib import Path

from ..core.methods import METHODS, NONBARE, RIA, Delivery


def _git(repository, *args, env=None):
    return subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True, env=env)


def verify_output(output, records, verify_dir, env=None):
    """What the round's output repository (its manifest `output`) holds of what its
    jobs pushed.

    `records`: the round's records (mappings); `verify_dir`: where a clone of the
    repository may be made to fsck its content from (removed by the caller). Returns
    {"lost": {clone: why}, "problems": [line], "verified": [line]}: a job that reported
    success but whose branch, commit or key the repository lacks (or whose key does
    not verify) is lost; a repository that fails `git fsck`, or holds what a failed
    job left half-written, is a problem."""
    op = Delivery(**output["delivery"]) if "delivery" in output else METHODS[output["method"]].delivery
    repository = Path(output["repository"])
    lost, problems, verified = {}, [], []
    fsck = _git(repository, "fsck", "--no-progress", "--no-dangling", env=env)
    if fsck.returncode:
        problems.append(f"git fsck of {repository}: " + ((fsck.stderr or fsck.stdout).strip().splitlines()
                                                         or ["failed"])[0])
    else:
        verified.append(f"git fsck of {repository}: clean")
    pushed = [r for r in records if r.get("pushed")]
    if op.pushes_branch:
        for r in pushed:
            want = r["pushed"]
            have = _git(repository, "rev-parse", "--verify", "--quiet", f"refs/heads/{want['branch']}^{{commit}}",
                        env=env).stdout.strip()
            if have == want["commit"]:
                verified.append(f"clone {r['clone']}: {want['branch']} at {want['commit'][:12]}")
            elif r["outcome"] == "ok":
                lost[r["clone"]] = (f"clone {r['clone']} pushed {want['branch']} at {want['commit'][:12]}, "
                                    f"the output repository has {have[:12] or 'no such branch'}")
            elif have:
                problems.append(f"clone {r['clone']} failed, yet {want['branch']} is at {have[:12]}, "
                                f"not its commit {want['commit'][:12]}")
    if op.pushes_content:
        checks = _fsck_keys(output, op.pushes_content, pushed, Path(verify_dir), env)
        for r in pushed:
            ok, line = checks[r["clone"]]
            if ok:
                verified.append(f"clone {r['clone']}: {line}")
            elif r["outcome"] == "ok":
                lost.setdefault(r["clone"], f"clone {r['clone']} sent {line}")
    problems += [f"half-written: {p}" for p in leftovers(output)]
    return {"lost": lost, "problems": problems, "verified": verified}


def _fsck_keys(output, remote, pushed, verify_dir, env):
    """clone -> (verified, line): `git annex fsck --from <remote> --key` of each
    pushed key: from the analysis dataset that made the output RIA store (it knows
    its storage sibling), else in a fresh clone of the output repository."""
    import datalad.api as dl

    results = {}
    if remote == "output-storage" and output.get("analysis"):
        verify_dir = output["analysis"]  # fsck --from reads the remote: where from does not matter
    else:
        try:
            dl.clone(source=output["url"], path=str(verify_dir), result_renderer="disabled")
        except Exception as e:  # it cannot even be cloned: nothing of it verifies
            line = f"cannot clone the output repository to verify it: {str(e).splitlines()[0]}"
            return {r["clone"]: (False, line) for r in pushed}
    for r in pushed:
        key = r["pushed"]["key"]
        run = subprocess.run(["git", "annex", "fsck", "--from", remote, "--key", key, "--json"],
                             cwd=verify_dir, capture_output=True, text=True, env=env)
        answers = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        if run.returncode == 0 and answers and all(a.get("success") for a in answers):
            results[r["clone"]] = (True, f"{key} verifies in {remote}")
        else:
            said = [m for a in answers for m in a.get("error-messages", []) + [a.get("note", "")] if m]
            why = (said or (run.stderr.strip().splitlines() or ["fsck failed"]))[-1].strip()
            results[r["clone"]] = (False, f"{key} does not verify in {remote} ({why})")
    return results


def leftovers(output):
    """Files a transfer writes while it runs and moves away when it ends: any left
    in the output repository after the round are half-written."""
    repository = Path(output["repository"])
    annex = repository / ("annex" if output["into"] != NONBARE else ".git/annex")
    places = [annex / "tmp", annex / "othertmp"]
    if output["into"] == RIA:  # ORA writes each upload into transfer/ and renames it
        places += [repository / "transfer", repository / "tmp"]
    return [str(p) for place in places if place.is_dir() for p in sorted(place.rglob("*")) if p.is_file()]




def read_verified(paths):
    """scenario -> what verify_output found, from the files that exist."""
    return {Path(p).parent.name: json.loads(Path(p).read_text()) for p in paths if Path(p).exists()}
