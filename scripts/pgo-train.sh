#!/bin/sh
# The training runs of the profile-guided build (Makefile, PGO): the instrumented capsim ($1)
# runs each command on the bundled examples, briefly, so that the profile it writes says
# which branches of the simulation are taken and how often. Most of the profile comes from
# years of scenarios/bench-year.json (bench/README.md, bench_run); the other runs train
# spot, failures, disaster recovery, the optimizer and the reports too, so that their
# branches are laid out from what they do rather than guessed. Outputs go to a temporary
# folder; a run that fails stops the build, and nothing else is checked here (the tests
# do that).
set -eu
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One thread: the profile counters are atomic, and two threads updating the same ones took
# the training 42 s where one takes 18.5 s, for a profile no better.
run() { "$bin" "$@" --quiet --no-plots --threads 1; }

for f in scenarios/*.json; do
	run run "$f" -o "$tmp/$(basename "$f" .json)" --reps 2
done
# Long runs are where the time goes: eight more replications of the year weight the
# profile toward the step loop's steady state (+1.5% against two alone, bench/README.md).
run run scenarios/bench-year.json -o "$tmp/year" --reps 8
run compare scenarios/shop.json scenarios/shop-one-db.json -o "$tmp/compare" --reps 2
run drill scenarios/dr-shop.json --fail region:eu-west-1@2d+4h --strategy all --reps 2 \
	-o "$tmp/drill"
run optimize scenarios/spot-web.json -o "$tmp/optimize" --reps 4 --final-reps 4
"$bin" queue --arrival-rate 90 --service-time 0.1 --servers 12 >/dev/null
for f in scenarios/broken/*.json; do
	"$bin" validate "$f" >/dev/null 2>&1 || true
done
