#!/usr/bin/env bash
# Set up what annex-race needs in ./.venv (idempotent). `--dev` adds the test tools;
# `--babs` (and `--dev`) BABS in ./.venv-babs, for scenarios of method babs.
# Needs Python >= 3.11 and git; on Debian as root, missing system tools are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=requirements.txt
[[ " $* " == *" --dev "* ]] && requirements=requirements-dev.txt
babs=false
[[ " $* " == *" --dev "* || " $* " == *" --babs "* ]] && babs=true

need=()
command -v git >/dev/null || need+=(git)
command -v findmnt >/dev/null || need+=(util-linux)
# BABS zips each task's results with 7z
$babs && ! command -v 7z >/dev/null && need+=(p7zip-full)
if ((${#need[@]})); then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
    else
        echo "setup: please install ${need[*]}" >&2
        exit 1
    fi
fi

# DataLad commits in the datasets it makes: git needs an identity
git config --global user.name >/dev/null || git config --global user.name "annex-race"
git config --global user.email >/dev/null || git config --global user.email "annex-race@localhost"

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "setup: Python >= 3.11 needed" >&2; exit 1; }
[[ -x .venv/bin/python ]] || python3 -m venv .venv
stamp=.venv/.installed-$(cat "$requirements" requirements.txt pyproject.toml | sha1sum | cut -c1-12)
if [[ ! -e $stamp ]]; then
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -r "$requirements"
    # the workflow's own package (workflow/src/annex_race), editable: rules, tests
    # and benchmarks import it from the checkout
    .venv/bin/pip install --quiet --no-deps -e .
    touch "$stamp"
fi
if $babs; then
    [[ -x .venv-babs/bin/python ]] || python3 -m venv .venv-babs
    stamp=.venv-babs/.installed-$(sha1sum <requirements-babs.txt | cut -c1-12)
    if [[ ! -e $stamp ]]; then
        .venv-babs/bin/pip install --quiet --upgrade pip
        .venv-babs/bin/pip install --quiet -r requirements-babs.txt
        touch "$stamp"
    fi
    echo "setup: BABS $(.venv-babs/bin/python -c 'import babs; print(babs.__version__)') in .venv-babs"
fi
echo "setup: ready ($(.venv/bin/git-annex version --raw 2>/dev/null || echo 'git-annex ?'), snakemake $(.venv/bin/snakemake --version))"
