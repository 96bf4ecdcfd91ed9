#!/bin/bash
# Issue 15, as users meet it: every kind of file where xpu expects a regular
# file or a folder of its own, at each path a user (or another user) hands
# it: a FIFO, a socket, a device node, a loop of links, a folder, a 100 MB
# file, and (as nobody) an unreadable file.  Each command ends within 10 s;
# where the file is the job (a config, a profile, a baseline, a sysroot, a
# snapshot folder) it exits 1 with one line naming the file; where it is a
# cache, the command does its job anyway.  Every path of the fixture trees
# gets the same kinds in test_hostile.c, the cache's name in test_cache.c.
# Usage: hostile.sh XPU_BINARY SOURCE_DIR
set -u
XPU=$1
SRC=$2
TMP=$(mktemp -d /tmp/xpu-hostile-cli-XXXXXX)
chmod 755 "$TMP"
trap 'chmod -R u+rwX "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
. "$SRC/tests/lib.sh"
check_failed() { sed 's/^/#   /' "$TMP/err" 2>/dev/null | head -5; }

KINDS="fifo socket device loop folder huge unreadable"
as_nobody=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null && as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

# plant KIND PATH: make PATH that kind of file (false: not here, say why)
plant() {
	rm -rf "$2"
	case $1 in
	fifo) mkfifo "$2" ;;
	socket) python3 -c 'import os, socket, sys; os.chdir(os.path.dirname(sys.argv[1])); socket.socket(socket.AF_UNIX).bind(os.path.basename(sys.argv[1]))' "$2" ;;
	device) mknod "$2" c 1 5 2>/dev/null ;; # /dev/zero's numbers: endless
	loop) ln -s "$(basename "$2")" "$2" ;;
	folder) mkdir "$2" ;;
	huge) truncate -s 100M "$2" ;;
	unreadable) printf '[run]\nbackend = cpu\n' >"$2" && chmod 000 "$2" ;;
	esac
}

# run KIND CMD...: CMD within 10 s, as nobody for the unreadable kind
run() {
	local kind=$1
	shift
	local who=()
	[ "$kind" = unreadable ] && who=("${as_nobody[@]}")
	timeout 10 "${who[@]}" "$@" >"$TMP/out" 2>"$TMP/err"
	echo $? >"$TMP/rc"
}
rc_is() { [ "$(cat "$TMP/rc")" = "$1" ]; }
# exit 1 and one line on stderr naming the file
one_line_naming() {
	rc_is 1 && [ "$(grep -vc '^xpu bench: ' "$TMP/err")" = 1 ] && grep -qF -- "$1" "$TMP/err"
}

mkdir -p "$TMP/etc/xpu/profiles.d" "$TMP/home" "$TMP/cache"
export XPU_SYSCONFDIR=$TMP/etc HOME=$TMP/home XPU_PROFILES_DIR=$SRC/profiles XPU_CACHE_DIR=$TMP/cache
unset XPU_SYSROOT XPU_BACKEND XPU_DEVICE XDG_CONFIG_HOME
"$XPU" bench --quick --device cpu --only stream.copy --save "$TMP/base.json" >/dev/null 2>&1
[ -f "$TMP/base.json" ] || not_ok "a baseline to start from (xpu bench --save)"

for kind in $KINDS; do
	if [ "$kind" = unreadable ] && [ "$(id -u)" = 0 ] && [ ${#as_nobody[@]} = 0 ]; then
		echo "# skip: unreadable files as root need setpriv (util-linux)"
		continue
	fi
	if [ "$kind" = device ] && ! plant device "$TMP/probe-node"; then
		echo "# skip: device nodes need root (mknod)"
		continue
	fi
	[ "$kind" = unreadable ] && chmod -R a+rwX "$TMP" # nobody gets as far as the file

	F=$TMP/etc/xpu/config
	plant "$kind" "$F"
	run "$kind" "$XPU" config
	check "a $kind as /etc/xpu/config: xpu config exits 1, one line naming it" one_line_naming "$F"
	rm -rf "$F"

	F=$TMP/etc/xpu/profiles.d/comfyui.ini
	plant "$kind" "$F"
	run "$kind" "$XPU" config
	check "a $kind as a profile: xpu config exits 1, one line naming it" one_line_naming "$F"
	rm -rf "$F"

	F=$TMP/baseline.$kind
	plant "$kind" "$F"
	run "$kind" "$XPU" bench --quick --device cpu --only stream.copy --compare "$F"
	check "a $kind as baseline: --compare exits 1, one line naming it" one_line_naming "$F"
	rm -rf "$F"

	F=$TMP/sysroot.$kind
	plant "$kind" "$F"
	if [ "$kind" != folder ]; then # a folder is what these two want
		run "$kind" "$XPU" --sysroot "$F" list
		check "a $kind as --sysroot: exits 1, one line naming it" one_line_naming "$F"
		run "$kind" "$XPU" snapshot "$F"
		check "a $kind as snapshot DIR: exits 1, one line naming it" one_line_naming "$F"
	fi
	rm -rf "$F"

	F=$TMP/cache/discovery.bin
	plant "$kind" "$F"
	[ "$kind" = unreadable ] && chmod 777 "$TMP/cache"
	run "$kind" "$XPU" list --json
	check "a $kind as the discovery cache: xpu list still lists, nothing on stderr" \
		bash -c "[ \$(cat '$TMP/rc') = 0 ] && [ ! -s '$TMP/err' ] && jq -e '.devices | length > 0' '$TMP/out' >/dev/null"
	check "... and says why the cache was not used" \
		jq -e '.discovery_cache.result == "stored" or .discovery_cache.result == "unwritable"' "$TMP/out"
	plant "$kind" "$F"
	[ "$kind" = unreadable ] && chmod 777 "$TMP/cache"
	# python3 has a profile (pytorch): xpu run discovers, through the cache
	run "$kind" "$XPU" run --dry-run -- python3 -c 1
	check "a $kind as the discovery cache: xpu run still runs" bash -c "[ \$(cat '$TMP/rc') = 0 ] && grep -q '^exec .*python3' '$TMP/out'"
	rm -rf "$F"
done

# issue 15: a link in a sysroot was followed out of it, and what it pointed
# at printed as the driver's version
cp -a "$SRC/tests/fixtures/h200" "$TMP/h200"
printf 'the-secret-of-root\n' >"$TMP/secret" && chmod 600 "$TMP/secret"
for f in sys/module/nvidia/version proc/driver/nvidia/version; do
	rm -f "$TMP/h200/$f" && ln -s "$TMP/secret" "$TMP/h200/$f"
done
timeout 10 "$XPU" --sysroot "$TMP/h200" list --json >"$TMP/out" 2>"$TMP/err"
check "a sysroot's link to a file outside it: not followed" bash -c "! grep -q the-secret-of-root '$TMP/out'"
check "... the value says why" grep -q "a link out of the sysroot, not followed" "$TMP/out"
finish
