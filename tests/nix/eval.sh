#!/bin/bash
# The Nix checks: evaluates the flake, the package, the launchers and the
# modules with nixpkgs' lib and nixpkgs' own NixOS modules
# (tests/nix/eval.nix), prints each check, then feeds what the modules
# generate to its consumers.
#   NIXPKGS_LIB=DIR tests/nix/eval.sh [SOURCE_ROOT [XPU_BINARY]]
# DIR is a nixpkgs checkout, or ../shared/fixtures/nixpkgs (nixpkgs' lib and
# the upstream modules; the default when it is beside the checkout).
# Prints "N passed, N failed, N skipped" (tests/lib.sh); exit 77 (skipped,
# not passed) without nix-instantiate or nixpkgs; 1 on any failure.
# KEEP_TMP=1 keeps its scratch folder (/tmp/xpu-nix-*): the rendered units,
# configs and snippets, for a look after a failure.
set -u
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
xpu=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$root/tests/lib.sh"
if ! command -v nix-instantiate >/dev/null; then
	echo "skipped: nix-instantiate not found; install it with: apt-get install nix-bin"
	exit 77
fi
if [ -z "${NIXPKGS_LIB:-}" ] && [ -d "$root/../shared/fixtures/nixpkgs/lib" ]; then
	NIXPKGS_LIB=$root/../shared/fixtures/nixpkgs
fi
if [ -z "${NIXPKGS_LIB:-}" ]; then
	echo "skipped: NIXPKGS_LIB is not set and ../shared/fixtures/nixpkgs is absent; the modules"
	echo "need nixpkgs' lib and its NixOS modules to be evaluated: point NIXPKGS_LIB at a nixpkgs checkout"
	exit 77
fi
nixpkgs=$(cd "$NIXPKGS_LIB" && pwd)
[ -f "$nixpkgs/lib/modules.nix" ] || [ ! -f "$nixpkgs/modules.nix" ] || nixpkgs=$(cd "$nixpkgs/.." && pwd)
for f in lib/modules.nix nixos/modules/services/misc/ollama.nix nixos/modules/services/misc/comfyui.nix nixos/modules/hardware/graphics.nix; do
	if ! [ -f "$nixpkgs/$f" ]; then
		not_ok "NIXPKGS_LIB=$NIXPKGS_LIB holds nixpkgs' $f (point it at a nixpkgs checkout or ../shared/fixtures/nixpkgs)"
		finish
	fi
done
if ! command -v jq >/dev/null; then
	not_ok "jq is installed (apt-get install jq): it reads the results"
	finish
fi
export NIX_CONFIG="build-users-group ="
export XPU_NIX_LIB="$nixpkgs/lib" # for tests/nix/fake-nixpkgs (the flake's nixpkgs input)
TMP=$(mktemp -d /tmp/xpu-nix-XXXXXX)
trap "${KEEP_TMP:+:} rm -rf \"$TMP\"" EXIT
# --readonly-mode: evaluation only, nothing is written to (or read from) a store
# docs/nixos.md's snippets, each laid out as a user would have it: every
# ```nix block starts with the file it is ("# flake.nix", "# configuration.nix",
# "# home.nix"); a configuration.nix goes beside the one flake.nix (with a
# stand-in hardware-configuration.nix); an ```ini block is a file a
# snippet before it makes.
docs=$TMP/docs
mkdir -p "$docs"
awk -v dir="$docs" '
	/^```nix$/ { n++; file = sprintf("%s/%02d.nix", dir, n); printf "%d\n", NR + 1 > (file ".line"); inblock = 1; next }
	/^```ini$/ { n++; file = sprintf("%s/%02d.ini", dir, n); printf "%d\n", NR + 1 > (file ".line"); inblock = 1; next }
	/^```/ && inblock { inblock = 0; close(file); next }
	inblock { print > file }' "$root/docs/nixos.md"
flake_snippet=""
for f in "$docs"/*.nix; do
	[ -e "$f" ] || continue
	case $(head -1 "$f") in
	"# flake.nix")
		if [ -n "$flake_snippet" ]; then not_ok "docs/nixos.md has one flake.nix snippet (line $(cat "$f.line") is another)"; fi
		flake_snippet=$f
		;;
	"# configuration.nix" | "# home.nix") ;;
	*) not_ok "docs/nixos.md: the snippet at line $(cat "$f.line") starts with the file it is (# flake.nix, # configuration.nix, # home.nix)" ;;
	esac
done
for f in "$docs"/*.nix; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .nix)
	case $(head -1 "$f") in
	"# flake.nix")
		mkdir -p "$docs/$n-flake"
		cp "$f" "$docs/$n-flake/flake.nix"
		echo '{ }' >"$docs/$n-flake/configuration.nix"
		echo '{ }' >"$docs/$n-flake/hardware-configuration.nix"
		;;
	"# configuration.nix")
		if [ -z "$flake_snippet" ]; then not_ok "docs/nixos.md has the flake.nix its configuration.nix snippets go in"; continue; fi
		mkdir -p "$docs/$n-configuration"
		cp "$flake_snippet" "$docs/$n-configuration/flake.nix"
		cp "$f" "$docs/$n-configuration/configuration.nix"
		echo '{ }' >"$docs/$n-configuration/hardware-configuration.nix"
		;;
	"# home.nix")
		mkdir -p "$docs/$n-home"
		cp "$f" "$docs/$n-home/home.nix"
		;;
	esac
done
evaluate() { # EXPR (over `r`, the result of eval.nix) -> JSON on stdout
	nix-instantiate --readonly-mode --eval --strict --json \
		-E "{ nixpkgs, root, docs }: let r = import $here/eval.nix { inherit nixpkgs root docs; }; in $1" \
		--argstr nixpkgs "$nixpkgs" --argstr root "$root" --argstr docs "$docs" 2>"$TMP/errors"
}
report() { # reads {name, ok, detail} objects
	local good name detail snippet
	while IFS=$'\t' read -r good name detail; do
		if [ "$good" = true ]; then ok "$name"; continue; fi
		not_ok "$name"
		echo "  got: $detail"
		# a docs snippet that fails: its own evaluation says why
		snippet=$(sed -n 's/^docs: snippet \([^ ]*\) of docs.*/\1/p' <<<"$name")
		if [ -n "$snippet" ] && ! evaluate "r.docsProbe.\"$snippet\"" >/dev/null; then
			grep -v '^warning: ' "$TMP/errors" | sed 's/^/  /'
		fi
	done < <(jq -r '.[] | [.ok, .name, .detail] | @tsv')
}
echo "nixpkgs: $nixpkgs (lib $(cat "$nixpkgs/lib/.version" 2>/dev/null || echo 'version unknown'))"
if evaluate r >"$TMP/results.json"; then
	report < <(jq .checks "$TMP/results.json")
else
	# an evaluation error (not a throw) stops the whole evaluation: evaluate
	# each check alone, to say which one fails and why
	if ! n=$(evaluate "builtins.length r.checks"); then
		grep -v '^warning: ' "$TMP/errors" | sed 's/^/  /'
		not_ok "the flake, the package and the modules evaluate"
		finish
	fi
	for ((i = 0; i < n; i++)); do
		if evaluate "[ (builtins.elemAt r.checks $i) ]" >"$TMP/one.json"; then
			report <"$TMP/one.json"
		else
			not_ok "$(evaluate "(builtins.elemAt r.checks $i).name" | jq -r . 2>/dev/null || echo "check $i")"
			grep -v '^warning: ' "$TMP/errors" | sed 's/^/  /'
		fi
	done
	if ! evaluate r.artifacts >/dev/null; then
		not_ok "what the examples generate (configs, units, launchers) evaluates"
		grep -v '^warning: ' "$TMP/errors" | sed 's/^/  /'
	fi
	finish
fi

# ---- what the modules generate, fed to the program that reads it ----------
if [ -z "$xpu" ]; then
	skip "generated config files and command lines fed to xpu" "no xpu binary given: eval.sh SOURCE_ROOT XPU"
	finish
fi
xpu=$(cd "$(dirname "$xpu")" && pwd)/$(basename "$xpu")
xpuExe=$(jq -r .artifacts.xpuExe "$TMP/results.json")
mkdir -p "$TMP/home" "$TMP/no-user-config"
jq_true() { jq -e "$@" >/dev/null; }
# syscalls UNIT_FILE: the system calls its SystemCallFilter= lines allow,
# one per line, sorted; the groups (@system-service, ...) expanded by
# systemd-analyze syscall-filter, the lines applied in order as systemd does
# for an allow list (a name adds, ~name removes).
expand_syscalls() {
	local name=$1 cache=$TMP/syscalls/${1#@}
	if [[ $name != @* ]]; then echo "$name"; return; fi
	if [ ! -f "$cache" ]; then
		mkdir -p "$TMP/syscalls"
		systemd-analyze syscall-filter "$name" | tail -n +2 | sed 's/^ *//; /^#/d; /^$/d' |
			while read -r member; do expand_syscalls "$member"; done | sort -u >"$cache.tmp"
		mv "$cache.tmp" "$cache"
	fi
	cat "$cache"
}
syscalls() {
	local set=$TMP/set.$$ word first=1
	: >"$set"
	while read -r word; do
		if [ "$first" = 1 ] && [[ $word == "~"* ]]; then echo "deny-list filters are not handled" >&2; return 1; fi
		first=0
		if [[ $word == "~"* ]]; then
			comm -23 "$set" <(expand_syscalls "${word#\~}") >"$set.new"
		else
			sort -u "$set" <(expand_syscalls "$word") >"$set.new"
		fi
		mv "$set.new" "$set"
	done < <(sed -n 's/^SystemCallFilter=//p' "$1" | tr ' ' '\n' | sed '/^$/d')
	cat "$set"
	rm -f "$set"
}
# exposure UNIT_FILE: the overall exposure systemd-analyze gives a unit file
# (0.0 best, 10.0 worst), from Debian 12's systemd; empty when it cannot
exposure() {
	systemd-analyze security --offline=true --no-pager "$1" 2>"$TMP/sa-err" |
		sed -n 's/^.*Overall exposure level for [^:]*: \([0-9.]*\) .*$/\1/p'
}

# Every dependency('NAME') of the meson build: its nixpkgs provider is a
# host input of the package (pkg-config looks there under strictDeps).
while read -r dep; do
	if [ "$(jq -r --arg d "$dep" '.artifacts.mesonDependencies.providers | has($d)' "$TMP/results.json")" != true ]; then
		not_ok "package: meson's dependency('$dep'): tests/nix/eval.nix names the nixpkgs package that provides it"
		continue
	fi
	provider=$(jq -r --arg d "$dep" '.artifacts.mesonDependencies.providers[$d] // empty' "$TMP/results.json")
	[ -n "$provider" ] || continue # the compiler's (threads, openmp)
	check "package: meson's dependency('$dep') is found: $provider is a host input (buildInputs or checkInputs), not a native one" \
		jq_true --arg p "$provider" '.artifacts.mesonDependencies | (.host | index($p)) != null and (.native | index($p)) == null' "$TMP/results.json"
done < <(find "$root" -name meson.build -not -path '*/build*' -not -path '*/.git/*' -exec cat {} + |
	grep -o "dependency('[^']*'" | sed "s/dependency('//; s/'\$//" | sort -u)

# The libraries xpu dlopens are NEEDED by nothing, so Nix keeps them in the
# closure only if the package puts them on the RUNPATH: every versioned
# soname in the binary is NEEDED, put there by the package, or found
# elsewhere on purpose (eval.nix says where). Unversioned names are the
# fallbacks tried after these. (-o: a sanitizer build pads its strings.)
if ! command -v readelf >/dev/null || ! command -v strings >/dev/null; then
	skip "package: the libraries the xpu binary dlopens are on its RUNPATH" "readelf or strings not found (apt-get install binutils)"
fi
needed=$(readelf -d "$xpu" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
while read -r soname; do
	grep -qxF "$soname" <<<"$needed" && continue
	dir=$(jq -r --arg s "$soname" '.artifacts.sonames.package[$s] // empty' "$TMP/results.json")
	why=$(jq -r --arg s "$soname" '.artifacts.sonames.elsewhere[$s] // empty' "$TMP/results.json")
	if [ -n "$dir" ]; then
		check "package: xpu dlopens $soname, and the package puts ${dir#/nix/store/*-} on its RUNPATH" \
			jq_true --arg d "$dir" '.artifacts.sonames.postFixup | contains($d)' "$TMP/results.json"
	elif [ -z "$why" ]; then
		not_ok "package: xpu dlopens $soname: the package provides it, or tests/nix/eval.nix says where it is found"
	fi
done < <(strings -n 6 "$xpu" 2>/dev/null | grep -oE 'lib[A-Za-z0-9_+-]+\.so\.[0-9]+' | sort -u)
have_systemd_analyze=$(command -v systemd-analyze)
[ -n "$have_systemd_analyze" ] ||
	skip "the rendered unit files in systemd-analyze (security --offline, syscall-filter)" "systemd-analyze not found (apt-get install systemd)"
# xpu as a unit or a launcher meets it: the example's /etc (or the user's
# config), the shipped profiles, nothing from this machine's user or env
xpu_env() { # EXAMPLE_DIR MACHINE_ASSUME USER_CONFIG_HOME -- COMMAND...
	local dir=$1 assume=$2 xdg=$3
	shift 4
	env -u XPU_BACKEND -u XPU_DEVICE -u XPU_FALLBACK HOME="$TMP/home" XDG_CONFIG_HOME="$xdg" \
		XPU_SYSCONFDIR="$dir/etc" XPU_PROFILES_DIR="$root/profiles" XPU_CACHE_DIR="$TMP/cache" \
		XPU_ASSUME_USABLE="$assume" "$@"
}
# run_line NAME EXAMPLE_DIR SYSROOT ASSUME XDG ARGV...: ARGV (an xpu run
# command line as the module wrote it) runs with --dry-run --explain on the
# example's machine, and xpu accepts it: exit 0, the app's own program in
# the exec line, the forced backend chosen.
run_line() {
	local name=$1 dir=$2 sysroot=$3 assume=$4 xdg=$5
	shift 5
	if [ "$1" != "$xpuExe" ] || [ "${2:-}" != run ]; then
		not_ok "$name: the command line starts with $xpuExe run"
		echo "  got: $*"
		return
	fi
	shift 2
	local args=("$@") backend="" strict="" program="" i
	for ((i = 0; i < ${#args[@]}; i++)); do
		case ${args[i]} in
		--backend) backend=${args[i + 1]} ;;
		--strict) strict=1 ;;
		--) program=${args[i + 1]:-} ;;
		esac
	done
	xpu_env "$dir" "$assume" "$xdg" -- "$xpu" --sysroot "$root/$sysroot" run --dry-run --explain "${args[@]}" \
		>"$TMP/out" 2>"$TMP/err"
	local rc=$? what="xpu run --dry-run --explain accepts it"
	[ -n "$backend" ] && what="$what and chooses $backend"
	if [ "$rc" = 0 ] && grep -qF "exec '$program'" "$TMP/out" &&
		{ [ -z "$backend" ] || [ -z "$strict" ] || grep -q "chose $backend on device" "$TMP/err"; }; then
		ok "$name: $what"
	else
		not_ok "$name: $what"
		echo "  command: xpu run ${args[*]}"
		echo "  exit $rc; stderr:"
		sed 's/^/    /' "$TMP/err"
	fi
}
while read -r kind name; do
	example=".artifacts.$kind[\"$name\"]"
	dir=$TMP/examples/$name
	mkdir -p "$dir/etc/xpu" "$dir/xdg/xpu"
	sysroot=$(jq -r "$example.machine.sysroot" "$TMP/results.json")
	assume=$(jq -r "$example.machine.assume" "$TMP/results.json")
	if [ "$kind" = homeExamples ]; then
		conf=$dir/xdg/xpu/config xdg=$dir/xdg source="user config" where="~/.config/xpu/config"
	else
		conf=$dir/etc/xpu/config xdg=$TMP/no-user-config source="system config" where="/etc/xpu/config"
	fi
	if [ "$(jq -r "$example.config != null" "$TMP/results.json")" = true ]; then
		jq -r "$example.config.text" "$TMP/results.json" >"$conf"
		if xpu_env "$dir" "" "$xdg" -- "$xpu" config --json >"$TMP/out" 2>"$TMP/err" &&
			jq -e --arg source "$source" --argjson want "$(jq "$example.config.settings" "$TMP/results.json")" \
				'[.settings[] | select(.source == $source) | {key, value}] | from_entries == $want' "$TMP/out" >/dev/null; then
			ok "$name: xpu config reads $where as the Nix settings say"
		else
			not_ok "$name: xpu config reads $where as the Nix settings say"
			sed 's/^/  /' "$conf" "$TMP/err"
		fi
	fi
	# the profiles the example writes: xpu config lists each from where it
	# was written, and xpu run --app NAME applies it
	if [ "$kind" = homeExamples ]; then profdir=$dir/xdg/xpu/profiles.d; else profdir=$dir/etc/xpu/profiles.d; fi
	while read -r profile; do
		mkdir -p "$profdir"
		jq -r --arg p "$profile" "$example.profiles[\$p]" "$TMP/results.json" >"$profdir/$profile.ini"
		if xpu_env "$dir" "" "$xdg" -- "$xpu" config --json >"$TMP/out" 2>"$TMP/err" &&
			jq_true --arg f "$profdir/$profile.ini" --arg p "$profile" '.profiles[] | select(.name == $p) | .file == $f' "$TMP/out" &&
			xpu_env "$dir" "$assume" "$xdg" -- "$xpu" --sysroot "$root/$sysroot" run --app "$profile" --dry-run --explain -- true \
				>"$TMP/out" 2>"$TMP/err" && grep -qF "profile $profile ($profdir/$profile.ini)" "$TMP/err"; then
			ok "$name: profile $profile: xpu config lists it from $(basename "$(dirname "$(dirname "$profdir")")")/xpu/profiles.d, xpu run --app $profile applies it"
		else
			not_ok "$name: profile $profile: xpu config lists it, xpu run --app $profile applies it"
			sed 's/^/  /' "$profdir/$profile.ini" "$TMP/err"
		fi
	done < <(jq -r "($example.profiles // {}) | keys[]" "$TMP/results.json")
	while IFS=$'\t' read -r unit line; do
		eval "argv=($line)" # systemd splits ExecStart= like the shell for these quoted words
		run_line "$name: unit $unit" "$dir" "$sysroot" "$assume" "$xdg" "${argv[@]}"
	done < <(jq -r "$example.units | to_entries[] | select(.value.execStart | test(\" run \")) | [.key, .value.execStart] | @tsv" "$TMP/results.json")
	while read -r launcher; do
		mapfile -t argv < <(jq -r '.argv[]' <<<"$launcher")
		run_line "$name: launcher $(jq -r .name <<<"$launcher")" "$dir" "$sysroot" "$assume" "$xdg" "${argv[@]}"
	done < <(jq -c "$example.launchers[]" "$TMP/results.json")
	# the unit files, as NixOS writes them, in systemd's own security review
	[ -n "$have_systemd_analyze" ] && while read -r unit; do
		jq -r "$example.units[\"$unit\"].text" "$TMP/results.json" >"$dir/$unit.service"
		ours=$(exposure "$dir/$unit.service")
		if [ "$(jq -r "$example.units[\"$unit\"].upstream != null" "$TMP/results.json")" = true ]; then
			mkdir -p "$dir/nixpkgs"
			jq -r "$example.units[\"$unit\"].upstream" "$TMP/results.json" >"$dir/nixpkgs/$unit.service"
			theirs=$(exposure "$dir/nixpkgs/$unit.service")
			if [ "$(jq -r "$example.units[\"$unit\"].withoutCapability != null" "$TMP/results.json")" = true ]; then
				# perfmon: CAP_PERFMON costs an ambient capability and the
				# host's user namespace, which systemd-analyze counts; the
				# rest must be no worse than nixpkgs' unit
				jq -r "$example.units[\"$unit\"].withoutCapability" "$TMP/results.json" >"$dir/$unit.nocap.service"
				rest=$(exposure "$dir/$unit.nocap.service")
				check "$name: unit $unit scores $ours in systemd-analyze security ($rest but for CAP_PERFMON's AmbientCapabilities= and PrivateUsers=false), nixpkgs' own $theirs: no worse but for those" \
					awk -v a="$rest" -v b="$theirs" 'BEGIN { exit !(a != "" && b != "" && a <= b) }'
			else
				check "$name: unit $unit scores $ours in systemd-analyze security, nixpkgs' own $theirs: no worse" \
					awk -v a="$ours" -v b="$theirs" 'BEGIN { exit !(a != "" && b != "" && a <= b) }'
			fi
		else
			check "$name: unit $unit scores $ours in systemd-analyze security: 2.0 or better (OK)" \
				awk -v a="$ours" 'BEGIN { exit !(a != "" && a <= 2.0) }'
		fi
	done < <(jq -r "$example.units | to_entries[] | select(.value.text != \"\") | .key" "$TMP/results.json")
done < <(jq -r '.artifacts | (.examples | keys[] | "examples " + .), (.homeExamples | keys[] | "homeExamples " + .)' "$TMP/results.json")

# docs/nixos.md's ini blocks: the very file the configuration.nix snippet
# before it makes (but for trailing blank lines), and xpu config reads it.
for f in "$docs"/*.ini; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .ini)
	line=$(cat "$f.line")
	maker=""
	for d in "$docs"/*-configuration; do
		m=$(basename "$d")
		[[ ${m%%-*} < $n ]] && maker=$m
	done
	if [ -z "$maker" ]; then
		not_ok "docs/nixos.md: the ini block at line $line follows a configuration.nix snippet"
		continue
	fi
	jq -r --arg m "docs-$maker" '.artifacts.examples[$m].config.text // empty' "$TMP/results.json" >"$TMP/made.ini"
	mkdir -p "$TMP/ini-$n/etc/xpu"
	cp "$f" "$TMP/ini-$n/etc/xpu/config"
	check "docs: the ini block at line $line is what snippet $maker writes to /etc/xpu/config, and xpu config reads it" \
		bash -c "[ \"\$(cat '$f')\" = \"\$(cat '$TMP/made.ini')\" ] && env -u XPU_BACKEND -u XPU_DEVICE -u XPU_FALLBACK HOME='$TMP/home' XDG_CONFIG_HOME='$TMP/no-user-config' XPU_SYSCONFDIR='$TMP/ini-$n/etc' '$xpu' config >/dev/null"
done

# The exporter's system calls: perfmon's PMU counters need perf_event_open,
# which is in @debug, not @system-service; without it allowed the process
# got SIGSYS. perfmon must allow exactly that call more, and nothing else.
plain=$TMP/examples/exporter/xpu-exporter.service
perfmon=$TMP/examples/exporter-perfmon/xpu-exporter.service
if [ -z "$have_systemd_analyze" ]; then
	: # skipped, said above
elif [ -f "$plain" ] && [ -f "$perfmon" ]; then
	syscalls "$plain" >"$TMP/plain.syscalls"
	syscalls "$perfmon" >"$TMP/perfmon.syscalls"
	check "exporter: its syscall filter allows what @system-service does but @privileged and @resources ($(wc -l <"$TMP/plain.syscalls") calls), not perf_event_open" \
		bash -c "[ -s '$TMP/plain.syscalls' ] && ! grep -qx perf_event_open '$TMP/plain.syscalls'"
	check "exporter: with perfmon, the filter allows perf_event_open, the one call more (PMU counters)" \
		bash -c "[ \"\$(comm -13 '$TMP/plain.syscalls' '$TMP/perfmon.syscalls')\" = perf_event_open ] && [ -z \"\$(comm -23 '$TMP/plain.syscalls' '$TMP/perfmon.syscalls')\" ]"
	check "exporter: a filtered call fails with EPERM instead of killing it (SystemCallErrorNumber=EPERM)" \
		grep -qx 'SystemCallErrorNumber=EPERM' "$plain" "$perfmon"
else
	not_ok "exporter: the exporter and exporter-perfmon examples render a unit"
fi
finish
