# Every clone record -> the results table, the per-scenario summary, the timeline.


# summarize the records: verdicts, causes, evidence, findings
rule summarize_results:
    input:
        records=[clone["record"] for clone in get_expected_clones()],
        sources=get_source_checks("matrix"),
    output:
        table="results/results.tsv",
        summary="results/summary.md",
        timeline="results/timeline.png",
        versions="results/versions.png",
    log:
        "results/logs/summarize_results.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        max_skew=config["max_skew"],
        notes=get_row_notes(),
        expected=get_expected_clones(),
    script:
        "../scripts/summarize-results.py"


# verify that the sources the clones fetched from are unharmed
rule check_sources:
    input:
        unpack(get_source_checks_inputs),
    output:
        "results/sources/{part}/{location}/lane-{lane}.json",
    log:
        "results/logs/check_sources/{part}/{location}/lane-{lane}.log",
    conda:
        "../envs/annex-race.yaml"
    params:
        scratch=lambda wildcards: str(
            LOCATIONS[wildcards.location].source_root / ".checks"
        ),
        roots=ROOTS,
    script:
        "../scripts/check-sources.py"


# fail the run if a source was harmed (after the summary has said so)
rule confirm_sources_unharmed:
    input:
        sources=get_source_checks("matrix"),
        summary=rules.summarize_results.output.summary,
    output:
        touch("results/sources.ok"),
    log:
        "results/logs/confirm_sources_unharmed.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    script:
        "../scripts/confirm-sources-unharmed.py"


# "is my site affected?": the smallest decisive scenario with the site's git-annex
rule check:
    """Run on its own (`snakemake check`): the site's git-annex (`system`) in the
    configured locations, with and without each workaround; results/check.md says in
    one paragraph whether the site is affected, why, and the cheapest workaround."""
    input:
        unpack(get_check_inputs),
    output:
        "results/check.md",
    log:
        "results/logs/check.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        expected=get_expected_clones(CHECK),
        max_skew=config["max_skew"],
    script:
        "../scripts/check-site.py"
