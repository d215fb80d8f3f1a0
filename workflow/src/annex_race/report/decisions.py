"""What users decide with: which git-annex releases are safe, which retry budget rides
out the race, whether it happens over ssh. Each is read from the summary's observed
verdicts (summary.scenario_summary), never from version numbers or expectations.
"""

import pandas as pd

from ..core.axes import AXES
from ..core.image import parse_size
from ..core.record import FAIL, PASS
from ..core.versions import SYSTEM, release_date, version_key


def _varying_only(summary, axis, workarounds=("none",)):
    """The scenarios without a workaround, in configurations (all other axes equal)
    tried with more than one value of `axis`."""
    rows = summary[summary["workaround"].isin(workarounds)]
    others = [a for a in AXES if a != axis]
    counts = rows.groupby(others, dropna=False)[axis].transform("nunique")
    return rows[counts > 1], others


# ---- which releases are safe ---------------------------------------------------------


def version_table(summary):
    """One row per git-annex version tried (without workaround, where the failure can
    show: in configurations that failed with some version): its release date and what
    was observed, in release order."""
    rows, others = _varying_only(summary, "git_annex")
    if rows.empty:
        return pd.DataFrame()
    failing = rows.loc[rows["verdict"] == FAIL, others].drop_duplicates()
    rows = rows.merge(failing, on=others) if len(failing) else rows
    table = []
    # what a release's jobs wrote: in every scenario it ran in, workarounds too
    writes = {version: _writes(group) for version, group in summary.groupby("git_annex")}
    for version, group in rows.groupby("git_annex"):
        reported = group["git_annex_run"].iloc[0].split(", ")[0]
        # the get's verdicts (a push operation has none: its job's)
        verdicts = group["get_verdict"].where(group["get_verdict"] != "", group["verdict"]).value_counts()
        status = ("affected" if verdicts.get(FAIL, 0) else
                  "fixed" if verdicts.get(PASS, 0) == len(group) else "not decided")
        delivers = group.loc[group["deliver_verdict"] != "", "deliver_verdict"]
        deliver = ("" if delivers.empty else "breaks" if (delivers == FAIL).any()
                   else "delivers" if (delivers == PASS).all() else "not decided")
        table.append({
            "version": version, "reported": reported, "provenance": group["git_annex_provenance"].iloc[0],
            "released": release_date(reported),
            "scenarios": len(group), "observed": ", ".join(f"{n} {v}" for v, n in verdicts.items()),
            "status": status, **writes[version], "deliver": deliver,
            "deliver_observed": ", ".join(f"{n} {v}" for v, n in delivers.value_counts().items()),
            "whole_job": "" if delivers.empty else "safe" if (
                status == "fixed" and writes[version]["sources"] == "clean" and deliver == "delivers") else "unsafe",
        })
    table = pd.DataFrame(table)
    order = [(released or pd.Timestamp.max.date(), _release_order(version))
             for released, version in zip(table["released"], table["version"])]
    return table.iloc[sorted(range(len(table)), key=order.__getitem__)].reset_index(drop=True)


def _writes(group):
    """What a release's jobs wrote into shared repositories: `sources` written (any
    scenario), clean (all observed, none wrote) or "" (not observed); `wrote`: what."""
    if "sources" not in group:
        return {"sources": "", "wrote": ""}
    observed = group[group["sources"] != ""]
    written = observed[observed["sources"] != "clean"]
    return {"sources": "written" if len(written) else "clean" if len(observed) else "",
            "wrote": "; ".join(dict.fromkeys(written["written"]))}


def first_clean(table):
    """The first release (PyPI) observed fixed for the race that wrote nothing
    unexpected into shared repositories, after the last affected one; None if none."""
    if "sources" not in table:
        return None
    pypi = table[table["version"] != SYSTEM]
    affected = pypi[pypi["status"] == "affected"]
    after = pypi[pypi["released"] > affected["released"].max()] if len(affected) else pypi
    clean = after[(after["status"] == "fixed") & (after["sources"] == "clean")]
    return clean.iloc[0] if len(clean) else None


def _release_order(version):
    try:
        return version_key(version)
    except ValueError:  # `system`, or a name that is no PyPI version
        return (0, 0, 0)


def version_statements(table):
    """The last affected and the first fixed release as observed, and where `system`
    (the site's git-annex) falls."""
    if table.empty:
        return []
    pypi = table[table["version"] != SYSTEM]
    affected = pypi[pypi["status"] == "affected"]
    lines = []
    if affected.empty:
        lines.append(f"- None of the {len(pypi)} releases tried failed the get here.")
    else:
        last = affected.iloc[-1]
        later_fixed = pypi[(pypi["status"] == "fixed") & (pypi["released"] > last["released"])]
        lines.append(f"- Last affected release as observed: {last['version']} (released {last['released']}).")
        if len(later_fixed):
            first = later_fixed.iloc[0]
            between = pypi[(pypi["released"] > last["released"]) & (pypi["released"] < first["released"])]
            lines.append(f"- First fixed release as observed: {first['version']} (released {first['released']})"
                         + ("; no release between them was tried." if between.empty else "."))
            lines += clean_statement(table, first)
        else:
            lines.append("- No release after it was tried and passed.")
        earlier_fixed = pypi[(pypi["status"] == "fixed") & (pypi["released"] < last["released"])]
        if len(earlier_fixed):
            lines.append(f"- Releases before it passed: {', '.join(earlier_fixed['version'])}.")
    if affected.empty:
        lines += clean_statement(table, None)
    if "whole_job" in table and (table["whole_job"] != "").any():
        safe = table[table["whole_job"] == "safe"]["version"]
        broken = table[(table["status"] == "fixed") & (table["deliver"] == "breaks")]["version"]
        lines.append("- Safe for the whole job (get fixed, nothing written, delivery PASS), as observed: "
                     + (", ".join(safe) if len(safe) else "none of the releases tried") + ".")
        lines += [f"- {v} fixes the get and breaks the delivery (see the findings for its workaround)."
                  for v in broken]
    for row in table[table["version"] == SYSTEM].itertuples():
        where = ""
        if row.released and len(affected):
            first_affected, last_affected = affected.iloc[0]["released"], affected.iloc[-1]["released"]
            where = (" — before the first affected release tried" if row.released < first_affected
                     else " — after the last affected release tried" if row.released > last_affected
                     else " — within the affected releases tried")
        lines.append(f"- `system` ({row.reported}, {row.provenance}) "
                     f"is {row.status}: {row.observed}; released {row.released}{where}.")
    return lines


def clean_statement(table, first_fixed):
    """Whether the first fixed release is also safe for the shared stores: the first
    release observed both fixed and writing nothing unexpected into them."""
    if first_fixed is not None and first_fixed["sources"] == "clean":
        return [f"- It wrote nothing unexpected into the repositories the jobs share: "
                f"first release observed clean: {first_fixed['version']}."]
    if first_fixed is not None and first_fixed["sources"] == "":
        return ["- What its jobs wrote into shared repositories was not observed."]
    clean = first_clean(table)
    tail = (f"first release observed clean: {clean['version']} (released {clean['released']})."
            if clean is not None else "no release tried was observed both fixed and clean.")
    if first_fixed is None:
        return [f"- {tail[0].upper()}{tail[1:]}"]
    return [f"- {first_fixed['version']} fixes the race but its jobs write into shared repositories "
            f"({first_fixed['wrote']}); {tail}"]


# ---- which retry budget rides out the race -------------------------------------------


def retry_window(retry, delay):
    """Seconds git-annex waits between the first and the last of `retry` attempts
    (annex.retry), the delay doubling from `delay` (annex.retrydelay)."""
    return delay * (2 ** max(retry - 1, 0) - 1)


# How a copy is named in any case; what else varies between the copies gets named too.
RETRY_NAMED = ("image_size", "annex_bwlimit", "location", "annex_retry", "annex_retry_delay")


def retry_table(summary):
    """The scenarios tried with more than one retry budget (annex_retry and
    annex_retry_delay; the retry-backoff workaround is one), each with its retry
    window, how long one copy took (the fastest get) and what it cost, by copy."""
    budget = ["annex_retry", "annex_retry_delay"]
    rows = summary[summary["workaround"].isin(["none", "retry-backoff"])]
    copy = [a for a in AXES if a not in budget + ["workaround"]]
    rows = rows[rows.groupby(copy, dropna=False)["scenario"].transform("count") > 1]
    if rows.empty or rows[budget].drop_duplicates().shape[0] < 2:
        return pd.DataFrame()
    table = rows.assign(
        window_s=[retry_window(r, d) for r, d in zip(rows["annex_retry"], rows["annex_retry_delay"])],
        copy=rows[copy].astype(str).agg(" ".join, axis=1),
    )
    named = ["image_size", "annex_bwlimit", "location"]
    named += [a for a in copy if a not in RETRY_NAMED and table[a].nunique() > 1]
    return table.sort_values(["copy", "window_s"])[
        ["copy", *named, "annex_retry", "annex_retry_delay", "window_s",
         "verdict", "fastest_get_s", "slowest_get_s"]].reset_index(drop=True)


def retry_statements(table):
    """Per copy tried: the smallest observed retry budget that passed, and its cost."""
    lines = []
    for _, rows in table.groupby("copy", sort=False):
        first = rows.iloc[0]
        copy_s = rows["fastest_get_s"].median()  # a copy without waiting for another
        what = f"{first['image_size']} at {first['annex_bwlimit'] or 'full speed'} on {first['location']}"
        others = [c for c in table.columns if c in AXES and c not in RETRY_NAMED]
        if others:
            what += " (" + ", ".join(f"{c}={first[c]}" for c in others) + ")"
        passed = rows[rows["verdict"] == PASS]
        if passed.empty:
            lines.append(f"- Copies of {what} (about {copy_s:.1f} s): no retry budget tried rode out the race "
                         f"(the widest retried for {rows['window_s'].max():.0f} s).")
            continue
        best = passed.iloc[0]
        lines.append(
            f"- Copies of {what} (about {copy_s:.1f} s): the smallest budget that passed is "
            f"annex.retry={best['annex_retry']}, annex.retrydelay={best['annex_retry_delay']:g} "
            f"(retrying for {best['window_s']:.0f} s); its slowest get took {best['slowest_get_s']:.1f} s.")
    return lines


# ---- local path or ssh ------------------------------------------------------------------


def transport_table(summary):
    """Scenarios tried over more than one transport: version, transport, verdict, cause."""
    rows, _ = _varying_only(summary, "transport")
    if rows.empty:
        return pd.DataFrame()
    return rows.sort_values(["git_annex", "transport"])[
        ["git_annex", "transport", "verdict", "cause", "method", "location", "image_size"]].reset_index(drop=True)


def transport_statements(table):
    lines = []
    for version, rows in table.groupby("git_annex"):
        verdicts = {t: set(r["verdict"]) for t, r in rows.groupby("transport")}
        local, ssh = verdicts.get("local", set()), verdicts.get("ssh", set())
        if FAIL in local and ssh == {PASS}:
            lines.append(f"- git-annex {version} fails from a local-path origin and passes over ssh: "
                         "here the failure is specific to local-path remotes.")
        elif FAIL in ssh:
            lines.append(f"- git-annex {version} fails over ssh too: the failure is not specific to "
                         "local-path remotes here.")
        else:
            seen = "; ".join(f"{t}: {', '.join(sorted(v))}" for t, v in verdicts.items())
            lines.append(f"- git-annex {version} passes with every transport tried ({seen})."
                         if all(v == {PASS} for v in verdicts.values()) else f"- git-annex {version}: {seen}.")
    return lines


# ---- many tasks ------------------------------------------------------------------------

# what tells the scenarios of one question apart, in the order a reader asks it
SCALE_NAMED = ["git_annex", "start", "storage_sibling", "workaround", "deliver", "annex_retry", "annex_retry_delay"]


def scale_table(summary):
    """The scenarios tried with more than one n_clones, otherwise alike: per N, how
    many jobs failed (and in which step), how many gets overlapped another's, the
    wall time, the retry window against N−1 copies one after another."""
    others = [a for a in AXES if a != "n_clones"]
    rows = summary[summary.groupby(others, dropna=False)["n_clones"].transform("nunique") > 1]
    if rows.empty:
        return pd.DataFrame()
    failed = rows["detail"].str.extract(r"^(\d+) of \d+ failed")[0].fillna(0).astype(int)
    table = rows.assign(
        copy=rows[others].astype(str).agg(" ".join, axis=1),
        failed=failed,
        window_s=[retry_window(r, d) for r, d in zip(rows["annex_retry"], rows["annex_retry_delay"])],
        queue_s=(rows["n_clones"] - 1) * rows["fastest_get_s"],
    )
    always = ("git_annex", "start", "annex_retry", "annex_retry_delay")
    named = [a for a in SCALE_NAMED if table[a].astype(str).nunique() > 1 or a in always]
    return table.sort_values(["copy", "n_clones"])[
        ["copy", *named, "n_clones", "verdict", "failed", "overlapped", "skew_ms", "fastest_get_s", "queue_s",
         "window_s", "wall_s", "slowest_deliver_s"]].reset_index(drop=True)


def scale_statements(table):
    """Per question: the failures against N, and whether the retry window covers the
    N−1 copies a lock makes wait one after another."""
    lines = []
    for _, rows in table.groupby("copy", sort=False):
        first = rows.iloc[0]
        what = ", ".join(f"{c}={first[c]}" for c in table.columns if c in SCALE_NAMED)
        counts = ", ".join(f"{int(r.failed)} of {int(r.n_clones)}" + (
            f" ({int(r.overlapped)} overlapped)" if r.start == "scheduled" else "") for r in rows.itertuples())
        largest = rows.iloc[-1]
        if set(rows["verdict"]) == {PASS}:
            lines.append(f"- {what}: holds at every N tried, up to {int(largest['n_clones'])} jobs "
                         f"({largest['wall_s']:.0f} s from the first job's start to the last record).")
            continue
        lines.append(f"- {what}: failed {counts}; at N={int(largest['n_clones'])} the jobs took "
                     f"{largest['wall_s']:.0f} s.")
        short = rows[(rows["verdict"] == FAIL) & (rows["queue_s"] > rows["window_s"])]
        if len(short):
            r = short.iloc[-1]
            lines.append(f"  - A lock that serialises the copies makes the last of N={int(r['n_clones'])} "
                         f"wait for {int(r['n_clones']) - 1} copies of ~{r['fastest_get_s']:.1f} s "
                         f"(~{r['queue_s']:.0f} s); annex.retry={r['annex_retry']} with "
                         f"annex.retrydelay={r['annex_retry_delay']:g} retries for {r['window_s']:.0f} s.")
        deliveries = rows.dropna(subset=["slowest_deliver_s"])
        if len(deliveries):
            r = deliveries.iloc[-1]
            lines.append(f"  - The slowest delivery at N={int(r['n_clones'])} took {r['slowest_deliver_s']:.1f} s "
                         "(each job waits its turn at the output store's flock).")
    return lines


# ---- is my site affected? -------------------------------------------------------------

# what each workaround asks of a site, cheapest first
EFFORT = {
    "retry-backoff": (1, "two git config settings (annex.retry, annex.retrydelay)"),
    "verifyremote": (1, "`git annex verifyremote output-storage --safe <id>` in each job after its clone"),
    "flock-push": (1, "`datalad push --to output-storage` under the job script's flock"),
    "upgrade": (2, "installing another git-annex"),
    "prefetch": (3, "a setup job that fetches the image before the array"),
    "storage sibling": (4, "re-exporting the input RIA store with a storage sibling"),
}


def _workaround(row, base):
    if row["storage_sibling"] == "on":
        return "storage sibling"
    if row["git_annex"] != base["git_annex"]:
        return "upgrade"
    return row["workaround"]


def whole_job_sentence(base, version):
    """The whole job's answer, where the check's jobs deliver: each step's verdict."""
    if base.get("deliver", "none") == "none" or base["method"] == "babs":
        return ""
    return f" The whole job (get, run, deliver as {base['deliver']}) with {version}: {_steps(base)}; job: {base['verdict']}."


def site_check(summary):
    """One paragraph per location for `snakemake check`: affected or not (observed,
    and only where the copy outlasted git-annex's retries, else not decided), the
    evidence, and the workarounds observed to work, cheapest first (extra wall time
    over the failing run's winner, extra disk, effort)."""
    paragraphs = []
    for location, rows in summary.groupby("location", sort=False):
        base = rows[(rows["workaround"] == "none") & (rows["storage_sibling"] == "off")
                    & (rows["git_annex"] == SYSTEM)].iloc[0]
        version = f"git-annex {base['git_annex_run'] or 'system'} ({base['git_annex_provenance']})"
        window = retry_window(base["annex_retry"], base["annex_retry_delay"])
        where = f"in {location} ({base['fs_source']} → {base['fs_clone']})"
        copy = base["winner_get_s"]
        get = base.get("get_verdict") or base["verdict"]  # the get's verdict; "verdict" is the job's
        if get == FAIL and "transfer-lock" in base["cause"]:
            head = (f"This site is affected: {where}, with {version}, {base['detail'].replace(' failed', '')} "
                    f"concurrent gets of one {base['image_size']} image from one origin failed; "
                    f"evidence: {base['evidence']}.")
        elif get == FAIL:
            head = (f"Not decided {where}: {version} failed {base['detail']}, for another cause "
                    f"({base['cause']}): {base['evidence']}.")
        elif get == PASS and copy > window:
            head = (f"This site is not affected {where}: {version} passed although the winner's copy "
                    f"({copy:.1f} s) outlasted git-annex's retries ({window:.0f} s).")
        elif get == PASS:
            head = (f"Not decided {where}: {version} passed, but the copy took {copy:.1f} s, within the "
                    f"{window:.0f} s git-annex retries for: the race cannot show. Try a larger image_size "
                    "or a slower location.")
        else:
            head = f"Not decided {where}: {base['detail']}."
        if base.get("sources", "") in ("written", "harmed"):
            head += f" Its jobs also wrote into shared repositories they read from: {base['written']}."
        head += whole_job_sentence(base, version)
        options = []
        for _, row in rows.drop(index=base.name).iterrows():
            if row["verdict"] != PASS:
                continue
            name = _workaround(row, base)
            setup = 0.0 if pd.isna(row["prefetch_s"]) else row["prefetch_s"]
            extra = max(0.0, row["slowest_get_s"] + setup - (0.0 if pd.isna(copy) else copy))
            disk = parse_size(row["image_size"]) if name in ("storage sibling", "prefetch") else 0
            label = _label(row, base)
            # a workaround whose jobs write into the shared stores is no fix: named last
            wrote = row.get("sources", "") in ("written", "harmed")
            options.append(((wrote, round(extra), disk, EFFORT[name][0]),
                            f"{label} (+{extra:.0f} s, {disk / 1024**2:.0f} MiB more disk, {EFFORT[name][1]}"
                            + (f"; but its jobs write into shared repositories: {row['written']}" if wrote else "")
                            + ")"))
        options.sort()
        if not options:
            tail = " No workaround tried passed here."
        elif base["verdict"] == FAIL and options[0][0][0]:
            tail = (" Every workaround observed to work here has jobs that write into shared repositories: "
                    + "; ".join(o for _, o in options) + ".")
        elif base["verdict"] == FAIL:
            tail = (f" The cheapest workaround observed to work here: {options[0][1]}."
                    + (f" Also worked: {'; '.join(o for _, o in options[1:])}." if len(options) > 1 else ""))
        else:
            tail = f" Observed to pass here as well: {'; '.join(o for _, o in options)}."
        # what was tried and breaks the whole job, e.g. an upgrade that fixes the get
        broken = [f"{_label(row, base)} ({_steps(row)})" for _, row in rows.drop(index=base.name).iterrows()
                  if row["verdict"] == FAIL and row.get("deliver_verdict")]
        if broken:
            tail += f" Tried and not safe for the whole job here: {'; '.join(broken)}."
        paragraphs.append(head + tail)
    return paragraphs


def _label(row, base):
    name = _workaround(row, base)
    return f"git-annex {row['git_annex']}" if name == "upgrade" else name


def _steps(row):
    """A scenario's steps as the check says them: "get: PASS; deliver: FAIL unverified-remote"."""
    return "; ".join(f"{step}: {row[f'{step}_verdict'] or 'not reached'}"
                     + (f" {row[f'{step}_cause']}" if row[f"{step}_cause"] else "") for step in ("get", "deliver"))
