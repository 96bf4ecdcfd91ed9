#!/bin/bash
# The xpu program as users and scripts meet it: exit codes, messages, JSON,
# snapshot round trips, and the real runtimes of this machine (PoCL, lavapipe,
# the Level Zero loader without a driver, Intel's OpenCL ICD without a device)
# checked against clinfo and vulkaninfo where those are installed.
# Usage: cli.sh XPU_BINARY SOURCE_DIR
set -u
XPU=$1
SRC=$2
TMP=$(mktemp -d /tmp/xpu-cli-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# the discovery cache of this run, apart from the user's
export XPU_CACHE_DIR=$TMP/cache
. "$SRC/tests/lib.sh"
# run: captures exit status, stdout and stderr of xpu
run() { "$XPU" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc_is() { [ "$(cat "$TMP/rc")" = "$1" ]; }
err_has() { grep -q -- "$1" "$TMP/err"; }
err_lines() { [ "$(wc -l <"$TMP/err")" = "$1" ]; }
jq_is() { [ "$(jq -r "$1" "$TMP/out")" = "$2" ]; }

# --- command line ---
run --sysroot /nonexistent/xpu list
check "unreadable sysroot exits 1" rc_is 1
check "unreadable sysroot: one line naming it" bash -c "grep -q /nonexistent/xpu '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
run --sysroot /etc/hostname list
check "a file as sysroot: says it is not a folder" err_has "is not a folder"
XPU_SYSROOT=/nonexistent/env "$XPU" list >/dev/null 2>"$TMP/err"
check "XPU_SYSROOT is honoured" err_has /nonexistent/env
run frobnicate
check "unknown command exits 2" rc_is 2
check "unknown command is named" err_has "'frobnicate'"
run list extra
check "stray argument exits 2" rc_is 2
run --bogus-option
check "unknown option exits 2" rc_is 2
# one program name in every message, however xpu was started (here by its
# build path): getopt's own lines too
check "unknown option: the message starts with 'xpu:'" grep -q "^xpu: unrecognized option '--bogus-option'" "$TMP/err"
check "unknown option: no path in the message" bash -c "! grep -q '/xpu' '$TMP/err'"
for cmd in list run config doctor bench top exporter; do
	run "$cmd" --bogus-option
	check "xpu $cmd --bogus-option: the message starts with 'xpu $cmd:'" \
		grep -q "^xpu $cmd: unrecognized option '--bogus-option'" "$TMP/err"
done
run list --verbose=x
check "a value given to a flag: 'xpu list:'" grep -q "^xpu list: option '--verbose' doesn't allow" "$TMP/err"
# xpu(1)'s synopsis names every command --help lists
run --help
for cmd in $(sed -n '/^Commands:/,/^With no command/p' "$TMP/out" | awk 'NF > 1 && /^  / { print $1 }'); do
	check "xpu(1) synopsis names '$cmd'" bash -c "sed -n '/^\\.SH SYNOPSIS/,/^\\.SH DESCRIPTION/p' '$SRC/doc/xpu.1' | grep -qE '^\\.(B|RB \\[) $cmd\$'"
done
run --help
check "--help exits 0" rc_is 0
check "--help documents exit status" grep -q "Exit status" "$TMP/out"
run --version
check "--version prints the version" grep -q "^xpu [0-9]" "$TMP/out"
run snapshot
check "snapshot without DIR exits 2" rc_is 2
run --runtimes=cuda,bogus list
check "--runtimes with an unknown name exits 2" rc_is 2
check "--runtimes names the unknown runtime" err_has "'bogus'"
run --runtimes=vulkan list --json
check "--runtimes=vulkan leaves opencl out, saying so" jq_is '.runtimes.opencl.detail' "left out by --runtimes"
check "--runtimes=vulkan probes vulkan" jq_is '.runtimes.vulkan.probed' true

# --- this machine ---
# --- the discovery cache: runtime results reused while the stack is unchanged ---
backends() { jq -S '[.devices[] | {id, backends}], .runtimes' "$1"; }
rm -rf "$TMP/cache"
run list --json
check "cache: the first run probes and stores" jq_is .discovery_cache.result stored
check "cache: the file is private (0600)" [ "$(stat -c %a "$TMP/cache/discovery.bin" 2>/dev/null)" = 600 ]
cp "$TMP/out" "$TMP/probed.json"
run list --json
check "cache: the second run reuses it" jq_is .discovery_cache.result hit
check "cache: a hit shows what a probe showed" cmp -s <(backends "$TMP/probed.json") <(backends "$TMP/out")
run list
check "cache: the table says the backends are from the cache" grep -q "discovery cache; 'xpu --refresh'" "$TMP/out"
mkdir -p "$TMP/no-icd"
OCL_ICD_VENDORS=$TMP/no-icd run list --json
check "cache: another OpenCL ICD folder is probed anew" jq_is .discovery_cache.result stored
check "cache: ... and its result is the new one (no opencl on the CPU)" \
	jq_is '.devices[] | select(.vendor == "cpu") | .backends.opencl.usable' false
run --refresh list --json
check "cache: --refresh probes again" jq_is .discovery_cache.result stored
head -c 100 "$TMP/cache/discovery.bin" >"$TMP/trunc" && mv "$TMP/trunc" "$TMP/cache/discovery.bin"
run list --json
check "cache: a truncated file is a miss, not a crash" jq_is .discovery_cache.result stored
printf 'garbage' >"$TMP/cache/discovery.bin"
run list
check "cache: a garbage file still lists" rc_is 0
XPU_CACHE_DIR=/proc/xpu-cache-here run list --json
check "cache: an unwritable folder still lists" rc_is 0
check "cache: ... and says why it was not written" jq_is .discovery_cache.result unwritable
XPU_CACHE_DIR=$TMP/off run --no-cache list --json
check "cache: --no-cache neither reads nor writes" bash -c "[ ! -e '$TMP/off' ] && [ \"\$(jq -r .discovery_cache.result '$TMP/out')\" = off ]"
XPU_CACHE_DIR= run list --json
check "cache: XPU_CACHE_DIR='' turns it off" jq_is .discovery_cache.result off

run list
check "bare list exits 0" rc_is 0
check "list marks a default device" grep -q '^\* ' "$TMP/out"
"$XPU" >"$TMP/bare" 2>&1
run list # the cache is warm now for both
check "bare xpu is list" cmp -s "$TMP/bare" "$TMP/out"
run list --json
check "list --json exits 0" rc_is 0
check "json has schema_version 1" jq_is .schema_version 1
check "the CPU is always listed" jq_is '[.devices[] | select(.vendor == "cpu")] | length' 1
check "the cpu backend is usable" jq_is '.devices[] | select(.vendor == "cpu") | .backends.cpu.usable' true
check "every non-ok value has a reason" jq_is \
	'[.. | objects | select(has("state") and .state != "ok" and (has("reason") | not))] | length' 0
check "no ok value is null" jq_is '[.. | objects | select(.state? == "ok" and has("value") and .value == null)] | length' 0
run --json list -v
check "--json before the command works too" jq_is .schema_version 1

# OpenCL through PoCL, checked against clinfo
if command -v clinfo >/dev/null && clinfo -l 2>/dev/null | grep -q "Portable Computing Language"; then
	pocl_dev=$(clinfo -l 2>/dev/null | sed -n '/Portable Computing Language/,/Platform/ s/.*Device #0: //p' | head -1)
	"$XPU" list --json >"$TMP/out"
	check "PoCL's CPU device makes opencl usable on the CPU" \
		jq_is '.devices[] | select(.vendor == "cpu") | .backends.opencl.usable' true
	check "opencl device name is clinfo's ($pocl_dev)" \
		jq_is '.devices[] | select(.vendor == "cpu") | .backends.opencl.device_name' "$pocl_dev"
else
	skip "OpenCL through PoCL, checked against clinfo" "clinfo or PoCL absent"
fi
# Intel's ICD with no device: the platform is listed, with no device
if [ -e "${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}/intel.icd" ]; then
	check "opencl summary names Intel's platform without a device" \
		bash -c "jq -r .runtimes.opencl.summary '$TMP/out' | grep -q 'Intel(R) OpenCL.*no device'"
else
	skip "Intel's OpenCL ICD without a device" "no intel.icd in ${OCL_ICD_VENDORS:-/etc/OpenCL/vendors} (CI's ASan run leaves it out)"
fi
# Vulkan through lavapipe, checked against vulkaninfo; one meaning of
# "usable" for list, run and doctor: lavapipe is seen and named, and is not
# usable (Vulkan in software on the CPU); each says so, and what works
if command -v vulkaninfo >/dev/null && vulkaninfo --summary 2>/dev/null | grep -q llvmpipe; then
	vk_dev=$(vulkaninfo --summary 2>/dev/null | sed -n 's/^[[:space:]]*deviceName[[:space:]]*= //p' | grep llvmpipe | head -1)
	cp "$TMP/out" "$TMP/list.json"
	check "list --json: lavapipe's vulkan on the CPU is not usable" \
		jq_is '.devices[] | select(.vendor == "cpu") | .backends.vulkan.usable' false
	check "list --json: ... because it is Vulkan in software" \
		bash -c "jq -r '.devices[] | select(.vendor == \"cpu\") | .backends.vulkan.detail' '$TMP/list.json' | grep -q 'Vulkan in software on the CPU'"
	check "vulkan device name is vulkaninfo's ($vk_dev)" \
		jq_is '.devices[] | select(.vendor == "cpu") | .backends.vulkan.device_name' "$vk_dev"
	run list
	check "list: the usable column leaves lavapipe's vulkan out" bash -c "! grep -E '^. *[0-9]+ .* cpu .*vulkan' '$TMP/out'"
	run list -v
	check "list -v: the vulkan line says why" grep -q "backend vulkan .*Vulkan in software on the CPU" "$TMP/out"
	run run --backend vulkan -- true
	check "run --backend vulkan: exit 1" rc_is 1
	check "run --backend vulkan: the same reason, and what works" \
		bash -c "grep -q 'Vulkan in software on the CPU.*; usable: cpu on device' '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
	XPU_PYTHON=/nonexistent run doctor --json
	check "doctor: the same reason for Vulkan" \
		bash -c "jq -r '.checks[] | select(.id == \"runtime.vulkan\") | .evidence' '$TMP/out' | grep -q 'Vulkan in software on the CPU'"
else
	skip "Vulkan through lavapipe: vulkaninfo's name, not usable in list, run and doctor" "vulkaninfo or lavapipe absent"
fi
run run --backend opencl -- true
check "run --backend opencl: exit 2, saying no app is launched through OpenCL" \
	bash -c "[ \$(cat '$TMP/rc') = 2 ] && grep -q 'no app is launched through OpenCL' '$TMP/err'"
run list --json
# Level Zero loader with no GPU driver: loaded, zeInit fails, reason given
if ldconfig -p | grep -q libze_loader.so.1; then
	check "level zero without a driver: not ok" bash -c "[ \"\$(jq -r .runtimes.level_zero.state '$TMP/out')\" != ok ]"
	check "level zero without a driver: the reason names zeInit" \
		bash -c "jq -r .runtimes.level_zero.detail '$TMP/out' | grep -q zeInit"
else
	skip "the Level Zero loader without a driver" "libze_loader.so.1 not installed"
fi
check "no GPU here: the CPU is the default" jq_is .default.backend cpu
run --no-runtimes list --json
check "--no-runtimes: runtimes_probed false" jq_is .runtimes_probed false

# --- snapshot round trip ---
run snapshot "$TMP/snap"
check "snapshot exits 0" rc_is 0
"$XPU" --no-runtimes list --json | jq -S '[.devices[] | {id, vendor, kind, name: .name.value, mem: .memory_total_bytes.value}]' >"$TMP/live"
"$XPU" --sysroot "$TMP/snap" list --json | jq -S '[.devices[] | {id, vendor, kind, name: .name.value, mem: .memory_total_bytes.value}]' >"$TMP/replay"
check "snapshot replays the same devices" cmp -s "$TMP/live" "$TMP/replay"
run --sysroot "$TMP/snap" snapshot "$TMP/snap2"
check "snapshot refuses --sysroot" rc_is 1
# issue 15: DIR is written as root, often in /tmp: a link planted in it was
# followed and its target (root's 0600 file) truncated; what DIR held stayed
run snapshot "$TMP/snap"
check "snapshot refuses a non-empty DIR: exit 1, saying so" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q 'is not empty' '$TMP/err'"
mkdir -p "$TMP/planted/proc" && printf 'root only\n' >"$TMP/secret" && chmod 600 "$TMP/secret"
ln -s "$TMP/secret" "$TMP/planted/proc/cpuinfo" && ln -s "$TMP/secret" "$TMP/planted/proc/meminfo"
run snapshot "$TMP/planted"
check "snapshot into a DIR with planted links: refused" rc_is 1
check "... and the linked file is untouched" [ "$(cat "$TMP/secret")" = "root only" ]
mkdir "$TMP/empty" && ln -s "$TMP/empty" "$TMP/dir-link"
run snapshot "$TMP/dir-link"
check "snapshot DIR that is a link: refused, saying so" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q 'not a link' '$TMP/err' && [ -z \"\$(ls -A '$TMP/empty')\" ]"

# --- damaged input ---
cp -a "$SRC/tests/fixtures/i915-igpu" "$TMP/bad"
printf '\xff\xfegarbage' >"$TMP/bad/sys/devices/pci0000:00/0000:00:02.0/drm/card0/gt_max_freq_mhz"
: >"$TMP/bad/sys/devices/pci0000:00/0000:00:02.0/drm/card0/gt_RP0_freq_mhz"
printf '14' >"$TMP/bad/sys/devices/pci0000:00/0000:00:02.0/drm/card0/gt_min_freq_mhz" # truncated, no newline
rm "$TMP/bad/proc/cpuinfo"
run --sysroot "$TMP/bad" list --json
check "damaged tree still lists (exit 0)" rc_is 0
check "garbage value: unparsable, named" jq_is '.devices[0].clocks.max_mhz | "\(.reason) \(.detail)"' \
	"unparsable /sys/class/drm/card0/gt_max_freq_mhz"
check "empty value: empty" jq_is '.devices[0].clocks.rp0_mhz.reason' empty
check "truncated value still read" jq_is '.devices[0].clocks.min_mhz.value' 14
check "missing cpuinfo: CPU still listed with the reason" jq_is '.devices[1].name.reason' file_missing

finish
