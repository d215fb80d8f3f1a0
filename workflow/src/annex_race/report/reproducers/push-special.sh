# push-special: each job `git annex copy --to` its content into one special remote
# (a directory special remote standing in for a RIA store's ORA storage sibling),
# which each clone enables itself, as a clone of a RIA store enables ORA (a directory
# remote cannot autoenable: it needs its directory).
# SAME_KEY=1: every job sends the same key. PUSH=1: then it pushes its branch under
# flock, as BABS's and FAIRly-big's jobs deliver. VERIFY=1: each clone first confirms
# the special remote with `git annex verifyremote` (the workaround for releases that
# refuse an unverified one; releases without the command skip it).
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
    if [ "${VERIFY:-0}" = 1 ]; then
        id=$(cd "job-$i" && git annex verifyremote storage 2>&1 | sed -n 's/.*verifyremote storage --safe \([^ ]*\).*/\1/p')
        [ -z "$id" ] || (cd "job-$i" && git annex verifyremote -q storage --safe "$id")
    fi
done
job() {
    git -c annex.bwlimit="$bwlimit" annex copy --to storage result.bin || return
    if [ "${PUSH:-0}" = 1 ]; then flock ../push.lock git push origin "job-$1"; fi
}
run_jobs
verdict "concurrent git annex copy --to one special remote$([ "${PUSH:-0}" = 1 ] && echo ", then git push")"
