#!/bin/bash
# Builds xpu (and, once per checkout, llama.cpp's llama-server: see
# tests/llm/llama.sh) and runs the whole test suite: the README's test command.
#   tests/run.sh [BUILD_DIR] [extra meson setup options...]
# Prints one closing line "N passed, N failed" summing every test program
# (cmocka cases and the checks of tests/cli.sh), and exits non-zero on any
# failure or when nothing ran.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
if [ ! -d "$build" ]; then
	meson setup "$build" -Dwerror=true "$@" || exit 1
fi
ninja -C "$build" || exit 1
# llama.cpp's llama-server for the test of `xpu bench llm` against a real
# engine: built once per checkout in build-llama/ (minutes), reused after;
# XPU_LLAMA=off skips the build, and that test then says SKIP.
if [ "${XPU_LLAMA:-on}" != off ]; then
	bash tests/llm/llama.sh ensure || { echo "tests/run.sh: llama.cpp did not build (XPU_LLAMA=off skips it)"; exit 1; }
fi
meson test -C "$build" --print-errorlogs --num-processes 2
status=$?
log="$build/meson-logs/testlog.txt"
# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s), listed below:"; cli.sh: "N passed, N failed"
read -r passed failed < <(awk '
	/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
	/^\[  FAILED  \] [0-9]+ test\(s\), listed/ { f += $4 }
	/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
	END { print p + 0, f + 0 }' "$log")
# a test program that crashed prints no summary: count it as a failure
crashed=$(grep -c '^==[0-9]*==ERROR\|Segmentation fault' "$log" || true)
failed=$((failed + crashed))
echo "$passed passed, $failed failed"
[ "$status" = 0 ] && [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
