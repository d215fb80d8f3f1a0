# Every clone record -> the results table, the summary, the bug report, one card per
# scenario and the figures; all of them in `snakemake --report results/report.html`.


# summarize the records: verdicts, causes, evidence, findings, figures
rule summarize_results:
    input:
        records=[clone["record"] for clone in get_expected_clones()],
        sources=get_source_checks("matrix"),
    output:
        table=report(
            OUTPUTS["table"],
            caption="../report/results.rst",
            category="Summary",
            labels={"what": "results table (one row per clone)"},
        ),
        summary=OUTPUTS["summary"],
        summary_html=report(
            OUTPUTS["summary_html"],
            caption="../report/summary.rst",
            category="Summary",
            labels={"what": "summary: verdicts, findings, evidence"},
        ),
        bug_report=OUTPUTS["bug_report"],
        bug_report_html=report(
            OUTPUTS["bug_report_html"],
            caption="../report/bug-report.rst",
            category="Summary",
            labels={"what": "bug report, ready to paste"},
        ),
        scenarios=report(
            directory(OUTPUTS["scenarios"]),
            patterns=[CARD],
            caption="../report/scenario.rst",
            category="Scenarios in {location}",
            subcategory="storage sibling {storage_sibling}",
            labels=get_card_labels,
        ),
        timeline=report(
            OUTPUTS["timeline"],
            caption="../report/timeline.rst",
            category="Figures",
            labels={"figure": "timeline"},
        ),
        heatmap=report(
            OUTPUTS["heatmap"],
            caption="../report/heatmap.rst",
            category="Figures",
            labels={"figure": "verdict heatmap"},
        ),
        durations=report(
            OUTPUTS["durations"],
            caption="../report/durations.rst",
            category="Figures",
            labels={"figure": "get durations and attempts"},
        ),
        summary_table=report(
            OUTPUTS["summary_table"],
            caption="../report/summary-table.rst",
            category="Figures",
            labels={"figure": "summary table"},
        ),
        versions=report(
            OUTPUTS["versions"],
            caption="../report/versions.rst",
            category="Figures",
            labels={"figure": "git-annex version map"},
        ),
    log:
        "results/logs/summarize_results.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        max_skew=config["max_skew"],
        heatmap=config["heatmap"],
        notes=get_row_notes(),
        expected=get_expected_clones(),
        configfiles=get_configfiles(),
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
    # its inputs follow which scenario runs in which lane, known to this process only
    localrule: True
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
