#!/bin/bash
# git-annex 10.20261026: a clone's autoenabled ORA storage sibling takes no content.
# What every BABS (and FAIRly-big) job does at its end, in five steps: a dataset with a
# RIA sibling and its storage sibling, a clone of it from the store (which autoenables
# the storage sibling), a result saved, `datalad push --to <storage sibling>`.
#   PATH=<a git-annex>:$PATH bash docs/reproducers/unverified-special-remote.sh
# 10.20261020: copy(ok). 10.20261026: "Write prevented due to an unverified special
# remote", push exit 1. Leaves its files in a fresh mktemp directory.
set -eu
d=$(mktemp -d)
cd "$d"
datalad create ds >/dev/null && cd ds
datalad create-sibling-ria -s out --new-store-ok "ria+file://$d/store" >/dev/null
datalad push --to out >/dev/null
id=$(datalad -f '{infos[dataset][id]}' wtf -S dataset)
cd "$d" && datalad clone "ria+file://$d/store#$id" job >/dev/null && cd job
echo result >result.txt && datalad save -m result >/dev/null
git annex version --raw; echo
datalad push --to out-storage || echo "push exit $?"
