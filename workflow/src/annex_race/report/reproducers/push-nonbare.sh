# push-nonbare: each job pushes its branch and copies its content into one non-bare
# git-annex repository (with git-annex's hooks).
git init -q store && (cd store && git annex init -q store && git commit -q --allow-empty -m start)
for ((i = 0; i < n; i++)); do
    git clone -q store "job-$i" && (cd "job-$i" && git annex init -q "job-$i" && git checkout -q -b "job-$i" \
        && result result.bin "$i" && git annex add -q result.bin && git commit -q -m result)
done
job() { git push origin "job-$1" && git -c annex.bwlimit="$bwlimit" annex copy --to origin result.bin; }
run_jobs
verdict "concurrent git push and git annex copy --to into one non-bare repository"
