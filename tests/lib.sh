# Sourced by the shell tests: one "ok - NAME" / "not ok - NAME" line per
# check, the counters, and the closing "N passed, N failed" line that CI and
# tests/run.sh read (so a script that ran nothing cannot pass as green).
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; }
# What a script adds after a failed check (run.sh shows xpu's stderr).
check_failed() { :; }
# check NAME COMMAND...: ok when COMMAND exits 0.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; check_failed; fi
}
# The closing line; exits non-zero when any check failed.
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
