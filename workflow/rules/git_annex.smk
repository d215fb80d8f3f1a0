# git-annex versions under study, each from PyPI into its own prefix.


rule git_annex:
    """Install one git-annex version (or describe `system`); runs on the submit
    host, which can reach the package index when compute nodes cannot."""
    output:
        f"{GIT_ANNEX}.json",
    log:
        "results/logs/git_annex/{version}.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        prefix=GIT_ANNEX,
        roots=ROOTS,
    script:
        "../scripts/git_annex.py"
