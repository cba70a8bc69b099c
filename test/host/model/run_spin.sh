#!/bin/sh
# Check a Promela model with spin: generate the verifier (spin -a), build it
# with gcc, run it (assertions and invalid end states, i.e. deadlocks).
#   run_spin.sh MODEL WORKDIR pass            the model must verify: errors: 0
#   run_spin.sh MODEL WORKDIR fail -DMACRO... the model (so built) must fail
set -u
model=$1 work=$2 expect=$3
shift 3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
cp "$model" model.pml || exit 2
spin "$@" -a model.pml || { echo "spin -a failed"; exit 2; }
gcc -O2 -DSAFETY -o pan pan.c || { echo "building pan failed"; exit 2; }
./pan -m1000000 > pan.out 2>&1
cat pan.out
errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out)
[ -n "$errors" ] || { echo "no result from pan"; exit 2; }
if [ "$expect" = pass ] && [ "$errors" -eq 0 ] && ! grep -q 'max search depth too small' pan.out; then
	echo "model verified"
	exit 0
fi
if [ "$expect" = fail ] && [ "$errors" -gt 0 ] && grep -q 'assertion violated' pan.out; then
	echo "violation found, as expected"
	exit 0
fi
echo "unexpected result: errors=$errors, expected $expect"
exit 1
