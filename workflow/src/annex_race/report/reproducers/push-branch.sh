# push-branch: each job commits its result on a branch of its own and `git push`es
# that branch into one bare store (FLOCK=1: under flock, as BABS and FAIRly-big do).
git init -q --bare store.git && git -C store.git annex init -q store
git clone -q store.git seed 2>/dev/null && (cd seed && git commit -q --allow-empty -m start && git push -q origin HEAD)
for ((i = 0; i < n; i++)); do
    git clone -q store.git "job-$i" && (cd "job-$i" && git checkout -q -b "job-$i" \
        && result result.bin "$i" && git add result.bin && git commit -q -m result)
done
if [ "${FLOCK:-0}" = 1 ]; then
    job() { flock ../store.lock git push origin "job-$1"; }
else
    job() { git push origin "job-$1"; }
fi
run_jobs
verdict "concurrent git push of distinct branches into one bare repository"
