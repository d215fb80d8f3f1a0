# deliver: BABS's and FAIRly-big's delivery. Each job works in a clone that enabled
# the special remote (a directory special remote standing in for the output RIA
# store's ORA storage sibling, which a clone of BABS's input RIA store autoenables; a
# directory remote cannot autoenable: it needs its directory); it sends its result
# there, then pushes its branch under flock. VERIFY=1: each clone first confirms the
# special remote with `git annex verifyremote` (the workaround; releases without the
# command skip it).
git init -q --bare store.git && git -C store.git annex init -q store
mkdir special
git clone -q store.git seed 2>/dev/null && (cd seed && git annex init -q seed \
    && git annex initremote -q storage type=directory directory="$d/special" encryption=none autoenable=true \
    && git commit -q --allow-empty -m start && git push -q origin HEAD git-annex)
for ((i = 0; i < n; i++)); do
    git clone -q store.git "job-$i" && (cd "job-$i" && git annex init -q "job-$i" 2>/dev/null && git checkout -q -b "job-$i" \
        && git annex enableremote -q storage directory="$d/special" \
        && result result.bin "$i" && git annex add -q result.bin && git commit -q -m result)
    if [ "${VERIFY:-0}" = 1 ]; then
        id=$(cd "job-$i" && git annex verifyremote storage 2>&1 | sed -n 's/.*verifyremote storage --safe \([^ ]*\).*/\1/p')
        [ -z "$id" ] || (cd "job-$i" && git annex verifyremote -q storage --safe "$id")
    fi
done
job() { git -c annex.bwlimit="$bwlimit" annex copy --to storage result.bin && flock ../push.lock git push origin "job-$1"; }
run_jobs
verdict "a job's delivery (git annex copy --to its enabled special remote, then git push) fails"
