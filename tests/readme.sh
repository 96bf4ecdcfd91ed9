#!/bin/bash
# What a new user does first, replayed: the README's quick start, copied as
# written, on a fresh copy of this checkout (its files as a clone has them,
# uncommitted changes included), then every shell example of the README
# after it, in order, from the copy's root, with xpu found through PATH.
#
# The README's examples are fenced blocks; the info string says what each
# needs:
#   ```sh                    run here; exit 0 expected
#   ```sh exit=0,1,2         the exit statuses that mean it ran (doctor's)
#   ```sh needs=WHAT         left out here, named: nvidia-gpu, server, app,
#                            terminal, nix; needs=root runs as root only
#   ```sh daemon             runs until stopped: still running after 3 s
#   ```sh quickstart         the build-and-install command (run first)
#   ```sh suite              the test suite: not run here (it runs this), but
#                            .ci/run must run it
#   ```text, ```nix          output and Nix code: not run
# The install goes to a staging folder (DESTDIR, which `meson install`
# honours) so that the test changes nothing outside its folder; HOME is a
# fresh folder too.
# Usage: readme.sh SOURCE_DIR [B_SANITIZE]
set -u
SRC=$1
SANITIZE=${2:-none}
. "$SRC/tests/lib.sh"
if [ "$SANITIZE" != none ]; then
	# the README's build is the plain one, which the plain suite replays
	echo "skipped: a sanitizer build (b_sanitize=$SANITIZE); the README's build is the plain one"
	exit 77
fi
TMP=$(mktemp -d /tmp/xpu-readme-XXXXXX)
hold=()
cleanup() { [ ${#hold[@]} = 0 ] || kill "${hold[@]}" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
README=$SRC/README.md

# --- the blocks: "TAGS\tLINE" per shell line, in order ---
awk '
	/^```/ && !inside { inside = 1; info = substr($0, 4); next }
	/^```/ && inside { inside = 0; next }
	inside { print info "\t" $0 }' "$README" >"$TMP/lines"
check "README has shell examples" [ -s "$TMP/lines" ]
check "README: every block says its language (sh, text or nix)" \
	bash -c "! awk -F'\t' '\$1 !~ /^(sh( [a-z]+(=[a-z0-9,-]+)?)*|text|nix)\$/' '$TMP/lines' | grep -q ."

quick=$(awk -F'\t' '$1 == "sh quickstart" { print $2 }' "$TMP/lines")
suite=$(awk -F'\t' '$1 == "sh suite" { print $2 }' "$TMP/lines")
check "README: one quick-start command" [ "$(wc -l <<<"$quick")" = 1 -a -n "$quick" ]
check "README: the quick start installs xpu (meson install), so examples find it in PATH" \
	grep -q 'meson install -C build' <<<"$quick"
check "README: one test-suite command" [ "$(wc -l <<<"$suite")" = 1 -a -n "$suite" ]
# CI runs the README's test command: deps, then tests/run.sh
for part in "bash scripts/deps.sh" "bash tests/run.sh"; do
	check ".ci/run runs the README's '$part'" grep -q "^$part" "$SRC/.ci/run"
	check "the README's test command is '$part' ..." grep -qF "$part" <<<"$suite"
done
check "README: no example calls ./build/xpu (xpu is installed)" \
	bash -c "! awk -F'\t' '\$1 ~ /^sh/ && \$2 ~ /build\\/xpu/' '$TMP/lines' | grep -q ."

# --- a fresh copy of the checkout ---
mkdir -p "$TMP/src" "$TMP/home" "$TMP/root"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -C "$TMP/src" -xf -
else
	(cd "$SRC" && tar --exclude='./build*' -cf - .) | tar -C "$TMP/src" -xf -
fi
check "the copy has the checkout's files, and no build" [ -f "$TMP/src/meson.build" -a ! -e "$TMP/src/build" ]
export HOME=$TMP/home DESTDIR=$TMP/root
unset XPU_CACHE_DIR XPU_SYSROOT XPU_PYTHON
cd "$TMP/src" || exit 1

# --- the quick start, as written (as root: it installs Debian packages) ---
cmd=$quick
if [ "$(id -u)" != 0 ]; then
	skip "the quick start's scripts/deps.sh" "not root: it installs Debian packages"
	cmd=${cmd#bash scripts/deps.sh && }
fi
# meson installs into /usr/local/bin, which root's PATH has: here, its
# staging folder under DESTDIR
export PATH=$DESTDIR/usr/local/bin:$PATH
echo "# \$ $cmd"
bash -o pipefail -c "$cmd" </dev/null >"$TMP/quick.out" 2>&1
rc=$?
check "the quick start ends with exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || tail -20 "$TMP/quick.out" | sed 's/^/#   /'
check "the quick start leaves xpu on the PATH (/usr/local/bin, staged in $DESTDIR)" \
	[ "$(command -v xpu)" = "$DESTDIR/usr/local/bin/xpu" ]
check "the quick start lists this machine (its last command)" grep -q "USABLE BACKENDS" "$TMP/quick.out"
check "the quick start installs xpu(1)" bash -c "find '$DESTDIR' -name xpu.1 | grep -q ."
# Each shared library loaded at start costs every command, xpu list
# included, about 0.1 ms (docs/design.md, "Start-up cost"): the quick
# start's build links its libraries' archives and loads the rest on demand.
needed=$(readelf -d "$DESTDIR/usr/local/bin/xpu" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check "the quick start's xpu loads libc alone at start (it loads: ${needed:-nothing readable})" \
	[ "$needed" = "libc.so.6 " ]

# --- every later example ---
# one example line: skipped with why, run as a daemon, or run with its exits
example() {
	local tags=$1 line=$2 exits=0 need
	need=$(sed -n 's/.*needs=\([a-z0-9,-]*\).*/\1/p' <<<"$tags")
	case $tags in *exit=*) exits=$(sed -n 's/.*exit=\([0-9,]*\).*/\1/p' <<<"$tags") ;; esac
	if [ "$need" = root ] && [ "$(id -u)" = 0 ]; then
		need=
	fi
	if [ -n "$need" ]; then
		skip "README: $line" "needs $need"
		return
	fi
	if [[ $tags == *daemon* ]]; then
		bash -c "$line" </dev/null >"$TMP/ex.out" 2>&1 &
		local pid=$!
		hold+=("$pid")
		sleep 3
		if kill -0 "$pid" 2>/dev/null; then
			ok "README: $line (still serving after 3 s)"
			kill "$pid"; wait "$pid" 2>/dev/null
		elif grep -q "Address already in use\|address in use" "$TMP/ex.out"; then
			skip "README: $line" "its port is taken on this machine: $(tail -n1 "$TMP/ex.out")"
		else
			not_ok "README: $line (stopped: $(tail -n1 "$TMP/ex.out"))"
		fi
		return
	fi
	timeout 600 bash -o pipefail -c "$line" </dev/null >"$TMP/ex.out" 2>&1
	local rc=$?
	if [[ ,$exits, == *,$rc,* ]]; then
		ok "README: $line (exit $rc)"
	else
		not_ok "README: $line (exit $rc, expected $exits)"
		tail -5 "$TMP/ex.out" | sed 's/^/#   /'
	fi
}
while IFS=$'\t' read -r tags line; do
	case $tags in sh | "sh "*) ;; *) continue ;; esac
	case $tags in *quickstart* | *suite*) continue ;; esac
	[ -n "${line// /}" ] || continue
	example "$tags" "$line"
done <"$TMP/lines"
skip "README: $suite" "the test suite runs this test; CI runs the suite (.ci/run)"
finish
