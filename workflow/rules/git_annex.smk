# The git-annex versions under study, each installed once from PyPI.


# install one git-annex version
rule install_git_annex:
    """Install a git-annex version into the shared cache (or reuse it there), or
    name the site's (`system`, resolved by this run). Runs on the submit host, which
    can reach the package index when compute nodes cannot."""
    output:
        layout.GIT_ANNEX,
    log:
        "results/logs/install_git_annex/{version}.log",
    localrule: True
    conda:
        "../envs/annex-race.yaml"
    params:
        cache=PLAN.git_annex_cache,
        roots=PLAN.roots,
        system=get_system_git_annex,
    script:
        "../scripts/install-git-annex.py"
