# git-annex-branch (what `datalad push` of each job does): each job pushes its branch
# and its git-annex branch into one bare store.
git init -q --bare store.git && git -C store.git annex init -q store
git clone -q store.git seed 2>/dev/null && (cd seed && git annex init -q seed && git commit -q --allow-empty -m start \
    && git push -q origin HEAD git-annex)
for ((i = 0; i < n; i++)); do
    git clone -q store.git "job-$i" && (cd "job-$i" && git annex init -q "job-$i" && git checkout -q -b "job-$i" \
        && result result.bin "$i" && git annex add -q result.bin && git commit -q -m result)
done
job() { git push origin "job-$1" git-annex; }
run_jobs
verdict "concurrent git push of the git-annex branch into one repository"
