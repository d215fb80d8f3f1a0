# push-special: each job `git annex copy --to` its content into one special remote
# (a directory special remote standing in for a RIA store's ORA storage sibling),
# which each clone enables itself, as a clone of a RIA store enables ORA.
# SAME_KEY=1: every job sends the same key.
git init -q --bare store.git && git -C store.git annex init -q store
mkdir special
git clone -q store.git seed 2>/dev/null && (cd seed && git annex init -q seed \
    && git annex initremote -q storage type=directory directory="$d/special" encryption=none autoenable=true \
    && git commit -q --allow-empty -m start && git push -q origin HEAD git-annex)
for ((i = 0; i < n; i++)); do
    git clone -q store.git "job-$i" && (cd "job-$i" && git annex init -q "job-$i" 2>/dev/null && git checkout -q -b "job-$i" \
        && git annex enableremote -q storage directory="$d/special" \
        && result result.bin "$([ "${SAME_KEY:-1}" = 1 ] && echo same || echo "$i")" \
        && git annex add -q result.bin && git commit -q -m result)
done
job() { git -c annex.bwlimit="$bwlimit" annex copy --to storage result.bin; }
run_jobs
verdict "concurrent git annex copy --to one special remote"
