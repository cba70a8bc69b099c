#!/bin/sh
# Run a deliberately broken build of the vmcore stress harness and succeed
# only if the harness caught the breakage: exit status 1 and a CORRUPTION
# line. A harness that passes (or crashes some other way) fails this test.
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q '^CORRUPTION'; then
	echo "mutation detected (exit status $rc)"
	exit 0
fi
echo "mutation NOT detected (exit status $rc)"
exit 1
