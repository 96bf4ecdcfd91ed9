#!/bin/bash
# Installs what xpu needs to build and test on Debian 12 (run as root).
#   scripts/deps.sh          install every list, one line per step
#   scripts/deps.sh --list   print each step's packages; install nothing
# One list per capability in scripts/packages/*.list (one name per line, '#'
# comments); build.list, what every part needs, goes first.  Each step says
# what it installs and how much it downloads before it starts, and how long it
# took; apt-get's own output goes to a log, shown when a step fails.  Packages
# already installed are not asked for again, and with nothing missing no
# network is needed.
set -eu
export DEBIAN_FRONTEND=noninteractive
me=scripts/deps.sh
dir=$(dirname "$0")/packages
lists=("$dir/build.list")
for f in "$dir"/*.list; do [ "$f" = "$dir/build.list" ] || lists+=("$f"); done
packages_of() { sed 's/#.*//' "$1" | xargs; }
installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }
if [ "${1:-}" = --list ]; then
	for f in "${lists[@]}"; do echo "$(basename "$f" .list): $(packages_of "$f")"; done
	exit 0
elif [ $# -gt 0 ]; then
	echo "$me: unknown argument '$1' (usage: $me [--list])" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "$me: run as root (sudo bash $me): it installs Debian packages" >&2
	exit 1
fi
log=$(mktemp /tmp/xpu-deps-XXXXXX.log)
updated=false
total=${#lists[@]} step=0 started=$SECONDS
for f in "${lists[@]}"; do
	step=$((step + 1))
	name=$(basename "$f" .list)
	missing=()
	for p in $(packages_of "$f"); do installed "$p" || missing+=("$p"); done
	if [ ${#missing[@]} = 0 ]; then
		echo "$me: [$step/$total] $name: already installed"
		continue
	fi
	if ! $updated; then
		echo "$me: apt-get update"
		apt-get update -qq >>"$log" 2>&1 || { echo "$me: apt-get update failed:" >&2; tail -20 "$log" >&2; exit 1; }
		updated=true
	fi
	size=$(apt-get install --no-install-recommends --assume-no "${missing[@]}" 2>/dev/null |
		sed -n 's/^Need to get \([^ ]* [kMG]*B\).*/, \1 to download/p' | head -1)
	echo "$me: [$step/$total] $name: installing ${missing[*]}$size"
	t0=$SECONDS
	if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
		echo "$me: [$step/$total] $name: apt-get install failed; its last lines ($log):" >&2
		tail -20 "$log" >&2
		exit 1
	fi
	echo "$me: [$step/$total] $name: done in $((SECONDS - t0)) s"
done
rm -f "$log"
echo "$me: dependencies installed ($((SECONDS - started)) s)"
