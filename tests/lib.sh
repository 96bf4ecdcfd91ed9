# Sourced by the shell tests: one "ok - NAME" / "not ok - NAME" line per
# check, "skip - NAME (WHY)" for a check that could not run here, the
# counters, and the closing "N passed, N failed, N skipped" line that CI and
# tests/run.sh read (so a script that ran nothing cannot pass as green, and
# a skipped check is never counted as passed).
pass=0 fail=0 skipped=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; }
# skip NAME WHY: a check (or a group of checks) that this machine cannot run.
skip() { skipped=$((skipped + 1)); echo "skip - $1 ($2)"; }
# What a script adds after a failed check (run.sh shows xpu's stderr).
check_failed() { :; }
# check NAME COMMAND...: ok when COMMAND exits 0.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; check_failed; fi
}
# The closing line; exits non-zero when any check failed.
finish() { echo "$pass passed, $fail failed, $skipped skipped"; [ "$fail" = 0 ]; exit $?; }
