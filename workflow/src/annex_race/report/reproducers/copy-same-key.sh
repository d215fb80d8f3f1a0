# copy-same-key: each job `git annex copy --to` the same key into one ordinary local
# git-annex repository (bare).
git init -q --bare store.git && git -C store.git annex init -q store
for ((i = 0; i < n; i++)); do
    git clone -q store.git "job-$i" 2>/dev/null && (cd "job-$i" && git annex init -q "job-$i" \
        && result result.bin same && git annex add -q result.bin && git commit -q -m result)
done
job() { git -c annex.bwlimit="$bwlimit" annex copy --to origin result.bin; }
run_jobs
verdict "concurrent git annex copy --to of one key into one repository"
