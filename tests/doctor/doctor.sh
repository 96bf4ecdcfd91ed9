#!/bin/bash
# xpu doctor as users and scripts meet it: every check group shown giving the
# verdicts it can give.  Real components where they run here (PoCL, the
# Level Zero loader with Intel's driver and no GPU, Intel's OpenCL ICD with no
# device, Debian's python3-torch 1.13 without XPU, no python at all); sysroot
# trees for hardware this machine lacks; a LOCAL STAND-IN HTTP server
# (standin_server.py) for the Ollama and ComfyUI APIs; fault-injection
# pythons (fake-python/) for imports that hang, crash or print garbage;
# STAND-IN NVIDIA libraries (standin_*.c) for the CUDA/NVML error paths.
# Usage: doctor.sh XPU_BINARY SOURCE_DIR [STANDIN_DIR]
# STANDIN_DIR: where meson built the stand-in NVIDIA libraries.
set -u
export PYTHONDONTWRITEBYTECODE=1 # the stand-in modules live in the source tree
XPU=$1
SRC=$2
STANDIN=${3:-}
[ -n "$STANDIN" ] && STANDIN=$(cd "$STANDIN" && pwd) # the evidence names real paths
# meson test puts the folders of the shared libraries a test depends on in
# LD_LIBRARY_PATH: the stand-ins must load only where a test asks for them.
if [ -n "$STANDIN" ] && [ -n "${LD_LIBRARY_PATH:-}" ]; then
	kept=
	IFS=: read -ra dirs <<<"$LD_LIBRARY_PATH"
	for d in "${dirs[@]}"; do
		[ -n "$d" ] && [ "$(cd "$d" 2>/dev/null && pwd)" != "$STANDIN" ] && kept=${kept:+$kept:}$d
	done
	if [ -n "$kept" ]; then export LD_LIBRARY_PATH=$kept; else unset LD_LIBRARY_PATH; fi
fi
HERE=$SRC/tests/doctor
TMP=$(mktemp -d /tmp/xpu-doctor-XXXXXX)
chmod 755 "$TMP" # the access tests run xpu as nobody on a tree in here
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
. "$SRC/tests/lib.sh"
# doctor ARGS...: runs xpu (global options first), keeping rc, stdout, stderr.
# The default interpreter is a missing one, so that checks other than the
# framework ones do not wait for torch; tests of python set XPU_PYTHON.
doctor() { XPU_PYTHON=${PY:-/nonexistent/python3} "$XPU" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc_is() { [ "$(cat "$TMP/rc")" = "$1" ]; }
err_has() { grep -q -- "$1" "$TMP/err"; }
one_err_line() { [ "$(wc -l <"$TMP/err")" = 1 ]; }
# verdict ID: the verdict of check ID in the --json output in $TMP/out
verdict() { jq -r --arg id "$1" '.checks[] | select(.id == $id) | .verdict' "$TMP/out"; }
is() { [ "$(verdict "$1")" = "$2" ]; }
evidence_has() { jq -r --arg id "$1" '.checks[] | select(.id == $id) | .evidence' "$TMP/out" | grep -q -- "$2"; }
fix_is_empty() { [ "$(jq -r --arg id "$1" '.checks[] | select(.id == $id) | .fix // ""' "$TMP/out")" = "" ]; }
fix_has() { jq -r --arg id "$1" '.checks[] | select(.id == $id) | .fix // ""' "$TMP/out" | grep -q -- "$2"; }

# A writable copy of a fixture tree, to add what a test needs.
tree() { # tree NAME FIXTURE
	rm -rf "$TMP/$1"
	cp -a "$SRC/tests/fixtures/$2" "$TMP/$1"
	echo "$TMP/$1"
}
IGPU=$SRC/tests/fixtures/i915-igpu

# --- command line ---
doctor doctor --help
check "--help exits 0" rc_is 0
check "--help documents the exit status" grep -q "Exit status: 0 every check passed" "$TMP/out"
OPTIONS="--app --url --timeout --python-timeout --json"
check "--help names every option" bash -c "for o in $OPTIONS; do grep -q -- \"\$o\" '$TMP/out' || exit 1; done"
man_has_all() { # the rendered man page names every option of --help, and exit status 3
	local page
	page=$(groff -man -Tascii "$SRC/doc/xpu-doctor.1" 2>/dev/null | col -b) || return 1
	for o in $OPTIONS; do grep -q -- "$o" <<<"$page" || return 1; done
	grep -q "Doctor could not run" <<<"$page"
}
if command -v groff >/dev/null && command -v col >/dev/null; then
	check "the man page documents every option and exit status 3" man_has_all
else
	skip "the man page documents every option and exit status 3" "groff or col not installed"
fi
# the apps are the profiles: every profiles/*.ini, as shipped
SHIPPED_APPS=$(cd "$SRC/profiles" && ls -- *.ini | sed 's/\.ini$//')
check "the shipped profiles are found" [ -n "$SHIPPED_APPS" ]
for app in $SHIPPED_APPS; do
	check "--help names the app $app (it has a profile)" grep -q -- "[ (]$app[,)]" "$TMP/out"
done
doctor doctor --app bogus
check "unknown --app exits 2" rc_is 2
check "unknown --app: one line naming it" bash -c "grep -q \"unknown app 'bogus'; apps (those with a profile): \" '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
for app in $SHIPPED_APPS; do
	check "unknown --app: lists $app" grep -q -- " $app\(,\|\$\)" "$TMP/err"
done
doctor doctor --timeout abc
check "--timeout abc exits 2" rc_is 2
check "--timeout abc is named" err_has "'abc'"
doctor doctor --timeout 0
check "--timeout 0 exits 2" rc_is 2
doctor doctor --url http://127.0.0.1:1
check "--url without --app exits 2" rc_is 2
doctor doctor --app ollama --url ftp://x
check "--url that is not http exits 2" rc_is 2
doctor doctor extra
check "stray argument exits 2" rc_is 2
doctor --sysroot /nonexistent/xpu doctor
check "unreadable sysroot exits 3 (doctor could not run)" rc_is 3
check "unreadable sysroot: one line naming it" bash -c "grep -q /nonexistent/xpu '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"

# --- the report's shape, on this machine ---
doctor doctor --json
check "json has schema_version 1" [ "$(jq -r .schema_version "$TMP/out")" = 1 ]
check "every check has id, group, title, a known verdict and evidence" [ "$(jq '[.checks[] | select((.id|length) == 0 or (.group|length) == 0 or (.title|length) == 0 or (.evidence|length) == 0 or ([.verdict] | inside(["PASS","WARN","FAIL","SKIP"]) | not))] | length' "$TMP/out")" = 0 ]
check "WARN and FAIL carry a fix, PASS and SKIP none" [ "$(jq '[.checks[] | select(((.verdict == "WARN" or .verdict == "FAIL") and .fix == null) or ((.verdict == "PASS" or .verdict == "SKIP") and .fix != null))] | length' "$TMP/out")" = 0 ]
check "check ids are unique" [ "$(jq '[.checks[].id] | length' "$TMP/out")" = "$(jq '[.checks[].id] | unique | length' "$TMP/out")" ]
expected_rc=$(jq 'if .summary.fail > 0 then 2 elif .summary.warn > 0 then 1 else 0 end' "$TMP/out")
check "exit status follows the verdicts (0 pass, 1 warn, 2 fail)" rc_is "$expected_rc"
check "exit_status in the JSON is the exit status" [ "$(jq .exit_status "$TMP/out")" = "$(cat "$TMP/rc")" ]
check "summary counts the checks" [ "$(jq '.summary.pass + .summary.warn + .summary.fail + .summary.skip' "$TMP/out")" = "$(jq '.checks | length' "$TMP/out")" ]
doctor doctor
check "the text report ends with the tally" grep -qE '^[0-9]+ pass, [0-9]+ warn, [0-9]+ fail, [0-9]+ skip' "$TMP/out"
check "text and JSON give the same exit status" rc_is "$expected_rc"

# --- runtimes: the real Debian packages of this machine ---
doctor doctor --json
if command -v clinfo >/dev/null && clinfo -l 2>/dev/null | grep -q "Portable Computing Language"; then
	check "PoCL: OpenCL CPU device PASS" is runtime.opencl PASS
	check "PoCL is named in the evidence" evidence_has runtime.opencl "Portable Computing Language"
else
	skip "PoCL: OpenCL CPU device PASS, named" "clinfo or PoCL absent"
fi
# Intel's ICD as the OpenCL loader sees it (OCL_ICD_VENDORS may leave it out)
"$XPU" --runtimes list --json >"$TMP/list.json" 2>/dev/null
intel_icd() { jq -e '.runtimes.opencl.summary | test("Intel\\(R\\) OpenCL Graphics")' "$TMP/list.json" >/dev/null; }
if intel_icd && ! jq -e '.devices[] | select(.vendor == "intel")' "$TMP/list.json" >/dev/null; then
	check "intel-opencl-icd, no Intel GPU: Intel ICD SKIP, saying it offers no device" is runtime.opencl.intel SKIP
	check "... its evidence says so" evidence_has runtime.opencl.intel "offers no device"
else
	skip "intel-opencl-icd, no Intel GPU: Intel ICD SKIP (2 checks)" "the OpenCL loader offers no Intel ICD here (CI's ASan run leaves it out), or an Intel GPU is present"
fi
# An Intel GPU (a sysroot tree) with this machine's real runtimes
doctor --sysroot "$IGPU" --runtimes doctor --json
if "$XPU" --runtimes list --json | jq -e '.runtimes.level_zero.probed and .runtimes.level_zero.state != "ok"' >/dev/null; then
	check "Level Zero with an Intel GPU it cannot see: FAIL" is runtime.level_zero FAIL
	if [ -z "${ZE_ENABLE_ALT_DRIVERS:-}" ]; then
		check "... with a fix pointing at the kernel driver" fix_has runtime.level_zero "kernel.driver"
	else
		skip "Level Zero without Intel's driver: the fix points at the kernel driver" "ZE_ENABLE_ALT_DRIVERS is set (CI's ASan run hides Intel's driver)"
	fi
	ZE_ENABLE_ALT_DRIVERS=libze_absent_for_test.so.1 doctor --sysroot "$IGPU" --runtimes doctor --json
	check "Level Zero loader with no GPU driver: FAIL" is runtime.level_zero FAIL
	check "... evidence says 'no GPU driver'" evidence_has runtime.level_zero "no GPU driver"
	check "... fix names the override" fix_has runtime.level_zero "ZE_ENABLE_ALT_DRIVERS"
	doctor --sysroot "$IGPU" --runtimes doctor --json
else
	skip "Level Zero with an Intel GPU it cannot see (5 checks)" "the Level Zero loader is not probed or loads a working driver"
fi
if intel_icd; then
	check "intel-opencl-icd with no device, Intel GPU present: FAIL" is runtime.opencl.intel FAIL
	check "... naming Intel's ICD" evidence_has runtime.opencl.intel "Intel(R) OpenCL Graphics"
else
	skip "intel-opencl-icd with no device, Intel GPU present: FAIL (2 checks)" "the OpenCL loader offers no Intel ICD here (CI's ASan run leaves it out)"
fi
doctor --sysroot "$IGPU" doctor --json
check "runtimes not probed (sysroot): CUDA SKIP, saying why" evidence_has runtime.cuda "not probed"
check "... Level Zero SKIP too" is runtime.level_zero SKIP

# --- kernel ---
check "i915 bound to an Alder Lake iGPU: PASS" is kernel.driver.0000:00:02.0 PASS
T=$(tree unbound i915-igpu)
sed -i '/^DRIVER=/d' "$T/sys/devices/pci0000:00/0000:00:02.0/uevent"
doctor --sysroot "$T" doctor --json
check "no driver bound: FAIL" is kernel.driver.0000:00:02.0 FAIL
check "... fix loads the driver" fix_has kernel.driver.0000:00:02.0 "modprobe i915"
check "... exit status 2" rc_is 2
check "... node check SKIPs, pointing at the driver" evidence_has access.nodes.0000:00:02.0 "kernel.driver"
# a SoC GPU (vendor arm, from its descriptor): the DRM node check applies, the
# device is named by its platform id
MALI=$SRC/tests/fixtures/mali-g610-panthor
doctor --sysroot "$MALI" doctor --json
check "Mali on panthor: kernel driver PASS, by its platform id" is kernel.driver.platform:fb000000.gpu PASS
check "... its render node is checked" evidence_has access.nodes.platform:fb000000.gpu "renderD128"
T=$(tree bmg i915-igpu)
D=$T/sys/devices/pci0000:00/0000:00:02.0
echo 0xe20b >"$D/device"
sed -i 's/^PCI_ID=.*/PCI_ID=8086:E20B/' "$D/uevent"
doctor --sysroot "$T" doctor --json
check "Battlemage on i915: FAIL (needs xe)" is kernel.driver.0000:00:02.0 FAIL
check "... fix boots with xe.force_probe" fix_has kernel.driver.0000:00:02.0 "xe.force_probe=e20b"
sed -i 's/^DRIVER=.*/DRIVER=xe/' "$D/uevent"
echo 6.8.0-45-generic >"$T/proc/sys/kernel/osrelease"
doctor --sysroot "$T" doctor --json
check "Battlemage on xe, kernel 6.8: WARN (6.12 needed)" is kernel.driver.0000:00:02.0 WARN
check "... naming the kernel it needs" evidence_has kernel.driver.0000:00:02.0 "6.12"
echo 6.12.9 >"$T/proc/sys/kernel/osrelease"
doctor --sysroot "$T" doctor --json
check "Battlemage on xe, kernel 6.12: PASS" is kernel.driver.0000:00:02.0 PASS
neo=$(readlink -f /usr/lib/x86_64-linux-gnu/libze_intel_gpu.so.1 2>/dev/null)
if [ -n "$neo" ] && [ "${neo##*.}" -lt 31907 ] 2>/dev/null; then
	check "Battlemage with compute-runtime build ${neo##*.} (< 24.48): compat FAIL" is compat.0000:00:02.0 FAIL
	check "... naming 24.48" evidence_has compat.0000:00:02.0 "24.48"
else
	skip "Battlemage with compute-runtime before 24.48: compat FAIL (2 checks)" "compute-runtime here is ${neo:-absent}: absent or 24.48 and later"
fi
T=$(tree fw i915-igpu)
mkdir -p "$T/sys/kernel/debug/dri/0/gt/uc"
printf 'GuC firmware: i915/adlp_guc_70.bin\n\tstatus: RUNNING\n\tversion: wanted 70.5, found 70.5.1\n' >"$T/sys/kernel/debug/dri/0/gt/uc/guc_info"
doctor --sysroot "$T" doctor --json
check "GuC RUNNING: firmware PASS" is kernel.firmware.0000:00:02.0 PASS
sed -i 's/RUNNING/MISSING/' "$T/sys/kernel/debug/dri/0/gt/uc/guc_info"
doctor --sysroot "$T" doctor --json
check "GuC MISSING: firmware FAIL" is kernel.firmware.0000:00:02.0 FAIL
check "... fix installs the firmware" fix_has kernel.firmware.0000:00:02.0 "firmware"
check "no debugfs: firmware SKIP, saying why" bash -c "'$XPU' --sysroot '$IGPU' doctor --json 2>/dev/null | jq -r '.checks[] | select(.id == \"kernel.firmware.0000:00:02.0\") | .verdict + \" \" + .evidence' | grep -q '^SKIP .*debugfs'"
# --- NVIDIA: STAND-IN libraries for the error paths ---
# libcuda.so.1, libnvidia-ml.so.1 and libcublas.so.13 built by
# tests/doctor/meson.build from standin_*.c: each answers as the env vars
# XPU_STANDIN_* say (cuInit's code, NVML's init code and driver version).
# They stand in for broken drivers no CI machine has; the PASS path with the
# real libraries is proven on the H200 (docs/hardware-runs.d/doctor.md).
H200=$SRC/tests/fixtures/h200
nv() { # nv ENV... -- doctor/list ARGS: the stand-ins on the loader path, no discovery cache
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" LD_LIBRARY_PATH="$STANDIN" XPU_CACHE_DIR= XPU_PYTHON=/nonexistent "$XPU" "$@" >"$TMP/out" 2>"$TMP/err"
	echo $? >"$TMP/rc"
}
text_has() { grep -q -- "$1" "$TMP/out"; } # the plain report
cuda_case() { # cuda_case CODE VERDICT EVIDENCE FIX LIST_REASON
	nv XPU_STANDIN_CUINIT="$1" -- --sysroot "$H200" --runtimes=cuda,nvml doctor --json
	check "cuInit $1: runtime.cuda $2" is runtime.cuda "$2"
	check "... evidence: $3" evidence_has runtime.cuda "$3"
	check "... fix: $4" fix_has runtime.cuda "$4"
	check "... exit status 2" rc_is 2
	nv XPU_STANDIN_CUINIT="$1" -- --sysroot "$H200" --runtimes=cuda,nvml doctor
	check "... the plain report says the same" bash -c "grep -q 'FAIL  runtime.cuda .*$3' '$TMP/out' && grep -q 'fix: .*$4' '$TMP/out'"
	nv XPU_STANDIN_CUINIT="$1" -- --sysroot "$H200" --runtimes=cuda,nvml --no-cache list --json
	check "... xpu list gives the H200's cuda backend the same reason" bash -c "jq -e '.devices[] | select(.pci.address == \"0000:00:06.0\") | .backends.cuda | (.usable == false and .reason == \"$5\" and (.detail | contains(\"error $1\")))' '$TMP/out' >/dev/null"
}
if [ -n "$STANDIN" ] && [ -e "$STANDIN/libcuda.so.1" ]; then
	cuda_case 803 FAIL "error 803 (driver/library version mismatch)" "kernel module and libcuda differ" runtime_error
	cuda_case 35 FAIL "error 35 (driver/library version mismatch)" "reboot after a driver update" runtime_error
	cuda_case 100 FAIL "error 100 (no CUDA device)" "CUDA_VISIBLE_DEVICES" runtime_no_device
	cuda_case 802 FAIL "error 802 (system not ready" "nvidia-fabricmanager" runtime_error
	cuda_case 2 FAIL "cuInit failed: error 2\$" "dmesg | grep -i nvrm" runtime_error
	nv -- --sysroot "$H200" --runtimes=cuda,nvml doctor --json
	check "cuInit success (stand-in): runtime.cuda PASS with version and device" evidence_has runtime.cuda "CUDA 13.0, driver 580.159.04 (libcuda.so.1): 1 device, NVIDIA H200"
	check "... no fix on a PASS" fix_is_empty runtime.cuda
	check "NVML success (stand-in): PASS with its driver version" evidence_has runtime.nvml "driver 580.159.04, 1 device"
	check "cuBLAS present where CUDA works: PASS naming the file" evidence_has runtime.cublas "libcublas.so.13 loads ($STANDIN/libcublas.so.13)"
	check "module 580.159.04 (/proc/driver/nvidia/version) = NVML 580.159.04: PASS" is kernel.nvidia_versions PASS
	check "... naming both" evidence_has kernel.nvidia_versions "module 580.159.04 = NVML (libnvidia-ml.so.1) 580.159.04"
	check "all NVIDIA checks pass: exit status 0 or 1 (no FAIL)" bash -c "[ \"\$(jq .summary.fail '$TMP/out')\" = 0 ]"
	nv -- --sysroot "$H200" --runtimes=cuda,nvml doctor
	check "... plain: runtime.cuda PASS line" text_has "PASS  runtime.cuda                 CUDA 13.0"
	nv XPU_STANDIN_NVML_VERSION=570.86.10 -- --sysroot "$H200" --runtimes=cuda,nvml doctor --json
	check "module 580.159.04, NVML says 570.86.10: kernel.nvidia_versions FAIL" is kernel.nvidia_versions FAIL
	check "... evidence names both versions and the module's file" evidence_has kernel.nvidia_versions "kernel module 580.159.04 (/proc/driver/nvidia/version) but NVML (libnvidia-ml.so.1) is 570.86.10"
	check "... fix says reboot" fix_has kernel.nvidia_versions "reboot to load the module that matches the installed driver (570.86.10)"
	nv XPU_STANDIN_NVML_VERSION=570.86.10 -- --sysroot "$H200" --runtimes=cuda,nvml doctor
	check "... plain report: FAIL and the fix" bash -c "grep -q 'FAIL  kernel.nvidia_versions' '$TMP/out' && grep -q 'fix: reboot to load' '$TMP/out'"
	# the module version where /proc/driver/nvidia is absent: /sys/module/nvidia/version
	T=$(tree nvsys h200)
	rm -r "$T/proc/driver/nvidia"
	echo 570.86.10 >"$T/sys/module/nvidia/version"
	nv -- --sysroot "$T" --runtimes=cuda,nvml doctor --json
	check "no /proc/driver/nvidia: the module version comes from /sys/module/nvidia/version (FAIL against NVML 580)" evidence_has kernel.nvidia_versions "kernel module 570.86.10 (/sys/module/nvidia/version)"
	# NVML not probed: the version in libcuda's file name (a copy of the stand-in)
	mkdir -p "$TMP/verlib"
	cp "$STANDIN/libcuda.so.1" "$TMP/verlib/libcuda.so.570.86.10"
	ln -sf libcuda.so.570.86.10 "$TMP/verlib/libcuda.so.1"
	LD_LIBRARY_PATH=$TMP/verlib XPU_CACHE_DIR= doctor --sysroot "$H200" --runtimes=cuda doctor --json
	check "NVML not probed, libcuda.so.570.86.10 vs module 580.159.04: FAIL from the file name" evidence_has kernel.nvidia_versions "but $TMP/verlib/libcuda.so.570.86.10 is 570.86.10"
	check "... and cuda itself PASSes through that file" is runtime.cuda PASS
	nv XPU_STANDIN_NVML_INIT=18 -- --sysroot "$H200" --runtimes=cuda,nvml doctor --json
	check "NVML error 18: runtime.nvml WARN (monitoring only)" is runtime.nvml WARN
	check "... evidence: driver/library version mismatch" evidence_has runtime.nvml "nvmlInit_v2: error 18 (driver/library version mismatch)"
	check "... fix: module and libnvidia-ml differ" fix_has runtime.nvml "kernel module and libnvidia-ml differ"
	check "... versions SKIP: NVML did not answer, the file name carries none" evidence_has kernel.nvidia_versions "userspace version is unknown"
	nv XPU_STANDIN_NVML_INIT=18 -- --sysroot "$H200" --runtimes=cuda,nvml doctor
	check "... plain report: WARN with the fix" bash -c "grep -q 'WARN  runtime.nvml .*error 18' '$TMP/out' && grep -q 'fix: the NVIDIA kernel module and libnvidia-ml differ' '$TMP/out'"
	nv XPU_STANDIN_NVML_INIT=18 -- --sysroot "$H200" --runtimes=cuda,nvml --no-cache list --json
	check "... xpu list gives NVML's reason" bash -c "jq -e '.runtimes.nvml.detail | contains(\"error 18 (driver/library version mismatch)\")' '$TMP/out' >/dev/null"
	# cuBLAS missing where CUDA works: the stand-in libcuda and NVML alone on
	# the loader path.  A system cuBLAS (this machine may have CUDA in
	# /usr/local) is hidden by an empty tmpfs over its folder, in a private
	# mount namespace (root only); one in /usr/lib cannot be hidden.
	mkdir -p "$TMP/cudaonly"
	cp "$STANDIN/libcuda.so.1" "$STANDIN/libnvidia-ml.so.1" "$TMP/cudaonly/"
	cublas_dirs=$(ldconfig -p 2>/dev/null | grep -E 'libcublas\.so\.1[123] ' | sed 's/.*=> //' | xargs -r -n1 dirname | sort -u)
	hide=""
	for d in $cublas_dirs; do hide+="mount -t tmpfs none '$d' && "; done
	if grep -qE '^(/usr)?/lib' <<<"$cublas_dirs" || { [ -n "$hide" ] && { [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; }; }; then
		skip "CUDA works, no libcublas: runtime.cublas WARN" "a system libcublas ($cublas_dirs) cannot be hidden here"
	else
		unshare -m bash -c "${hide}LD_LIBRARY_PATH='$TMP/cudaonly' XPU_CACHE_DIR= XPU_PYTHON=/nonexistent '$XPU' --sysroot '$H200' --runtimes=cuda,nvml doctor --json" >"$TMP/out" 2>"$TMP/err"
		check "CUDA works, no libcublas: runtime.cuda PASS" is runtime.cuda PASS
		check "... runtime.cublas WARN" is runtime.cublas WARN
		check "... saying bundling apps are fine" evidence_has runtime.cublas "no libcublas.so.13/.12/.11 on the loader path"
		check "... fix installs libcublas" fix_has runtime.cublas "libcublas"
	fi
	check "NVIDIA nodes of the capture: PASS as root" bash -c "[ \$(id -u) != 0 ] || [ \"\$(jq -r '.checks[] | select(.id == \"access.nvidia_nodes\") | .verdict' '$TMP/out')\" = PASS ]"
else
	not_ok "the stand-in NVIDIA libraries were not built (third argument: their build dir)"
fi
# No libcuda at all, NVIDIA GPU present: FAIL with the install fix
LD_LIBRARY_PATH=/nonexistent doctor --sysroot "$H200" --runtimes=cuda doctor --json
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1 '; then
	check "no libcuda.so.1, NVIDIA GPU present: runtime.cuda FAIL" is runtime.cuda FAIL
	check "... fix installs the driver's libcuda" fix_has runtime.cuda "libcuda1"
else
	skip "no libcuda.so.1, NVIDIA GPU present: runtime.cuda FAIL (2 checks)" "this machine has a libcuda.so.1 in ld.so.cache"
fi

# --- access ---
T=$(tree acc i915-igpu)
chmod 644 "$T/dev/dri/renderD128" "$T/dev/dri/card0"
chmod -R a+rX "$T"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# as nobody, the render node (mode 644) cannot be opened read-write
	XPU_PYTHON=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups "$XPU" --sysroot "$T" doctor --json >"$TMP/out" 2>"$TMP/err"
	check "render node denied: FAIL" is access.nodes.0000:00:02.0 FAIL
	check "... fix adds the user to the node's group" fix_has access.nodes.0000:00:02.0 "usermod -aG"
	chmod 666 "$T/dev/dri/renderD128"
	XPU_PYTHON=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups "$XPU" --sysroot "$T" doctor --json >"$TMP/out" 2>"$TMP/err"
	check "render node open, card node denied: WARN" is access.nodes.0000:00:02.0 WARN
else
	skip "render node denied, as nobody (3 checks)" "needs root and setpriv"
fi
doctor --sysroot "$T" doctor --json
check "no CapEff known: perfmon WARN" is access.perfmon WARN
mkdir -p "$T/proc/self"
printf 'Name:\txpu\nCapEff:\t0000004000000000\n' >"$T/proc/self/status"
doctor --sysroot "$T" doctor --json
check "CAP_PERFMON in CapEff: perfmon PASS" is access.perfmon PASS
printf 'Name:\txpu\nCapEff:\t0000000000000000\n' >"$T/proc/self/status"
echo 2 >"$T/proc/sys/kernel/perf_event_paranoid"
doctor --sysroot "$T" doctor --json
check "no CAP_PERFMON, paranoid 2: WARN naming both" evidence_has access.perfmon "no CAP_PERFMON, perf_event_paranoid=2"
check "... fix grants CAP_PERFMON" fix_has access.perfmon "cap_perfmon"

# --- NixOS awareness ---
T=$(tree nixos i915-igpu)
sed -i '/^DRIVER=/d' "$T/sys/devices/pci0000:00/0000:00:02.0/uevent"
mkdir -p "$T/etc" && : >"$T/etc/NIXOS"
doctor --sysroot "$T" doctor --json
check "/etc/NIXOS: the report says nixos" [ "$(jq .nixos "$TMP/out")" = true ]
check "NixOS: the unbound driver's fix is a NixOS option" fix_has kernel.driver.0000:00:02.0 "boot.initrd.kernelModules"
check "NixOS: the perfmon fix is a service option" fix_has access.perfmon "serviceConfig.AmbientCapabilities"
rm "$T/etc/NIXOS"
printf 'ID=debian\nVERSION_ID="12"\n' >"$T/etc/os-release"
doctor --sysroot "$T" doctor --json
check "Debian: not nixos" [ "$(jq .nixos "$TMP/out")" = false ]
check "Debian: the fix is a command" fix_has kernel.driver.0000:00:02.0 "sudo modprobe"

# --- frameworks ---
PY=/nonexistent/python3 doctor doctor --json
check "missing interpreter: python WARN" is frameworks.python WARN
check "... naming it" evidence_has frameworks.python "/nonexistent/python3 not found"
check "... torch SKIP" is frameworks.torch SKIP
env -u XPU_PYTHON PATH=/nonexistent "$XPU" doctor --json >"$TMP/out" 2>"$TMP/err"
check "no python in PATH at all: python WARN" is frameworks.python WARN
check "... saying 'not found in PATH'" evidence_has frameworks.python "python3 not found in PATH"
FAKE_PID_FILE=$TMP/hang.pid PY=$HERE/fake-python/hang doctor doctor --json --python-timeout 1
check "torch import that hangs: FAIL within the limit" is frameworks.python FAIL
check "... saying it was killed" evidence_has frameworks.python "did not finish within 1 s (killed)"
sleep 0.2
# killed: gone, or a zombie waiting for its new parent to reap it
check "... and its child was killed too (process group)" bash -c "! ps -o stat= -p \$(cat '$TMP/hang.pid') | grep -qv Z"
# issue 15: a child that called setsid escaped the kill of the group, and
# one left by a python that exited lived on; xpu reaps every descendant
gone() { ! kill -0 "$(cat "$1")" 2>/dev/null; }
FAKE_PID_FILE=$TMP/escape.pid PY=$HERE/fake-python/escape doctor doctor --json
check "a python that leaves a setsid child and exits: FAIL" is frameworks.python FAIL
check "... and that child is gone when doctor ends" gone "$TMP/escape.pid"
FAKE_HANG=1 FAKE_PID_FILE=$TMP/escape2.pid PY=$HERE/fake-python/escape doctor doctor --json --python-timeout 1
check "a python that hangs beside a setsid child: FAIL within the limit" evidence_has frameworks.python "did not finish within 1 s (killed)"
check "... and that child is gone when doctor ends" gone "$TMP/escape2.pid"
PY=$HERE/fake-python/segv doctor doctor --json
check "torch import that crashes: FAIL naming the signal" evidence_has frameworks.python "signal 11"
check "... exit status 2" rc_is 2
PY=$HERE/fake-python/garbage doctor doctor --json
check "interpreter printing garbage: FAIL with its last error line" evidence_has frameworks.python "libtorch_cpu.so"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	tv=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')
	PY=/usr/bin/python3 doctor doctor --json
	check "real torch $tv: PASS with its version" evidence_has frameworks.torch "torch $tv"
	check "real torch, no NVIDIA GPU: torch.cuda SKIP" is frameworks.torch_cuda SKIP
	check "real torch without XPU, no Intel GPU: torch.xpu SKIP" is frameworks.torch_xpu SKIP
	PY=/usr/bin/python3 doctor --sysroot "$IGPU" doctor --json
	check "real torch without XPU, Intel GPU: torch.xpu FAIL" is frameworks.torch_xpu FAIL
	check "... fix installs the xpu wheel" fix_has frameworks.torch_xpu "download.pytorch.org/whl/xpu"
	PY=/usr/bin/python3 doctor --sysroot "$SRC/tests/fixtures/h200" doctor --json
	check "real CPU-only torch, NVIDIA GPU: torch.cuda FAIL" is frameworks.torch_cuda FAIL
	check "... fix installs a CUDA wheel" fix_has frameworks.torch_cuda "download.pytorch.org/whl/cu"
	PYTHONPATH=$HERE/pymods/ipex28 PY=/usr/bin/python3 doctor doctor --json
	check "IPEX 2.8 beside torch $tv: FAIL (mismatch)" is frameworks.ipex FAIL
	check "... advising torch.xpu, IPEX retired" fix_has frameworks.ipex "retired"
else
	skip "real torch (8 checks)" "/usr/bin/python3 cannot import torch (python3-torch)"
fi
PYTHONPATH=$HERE/pymods/torch28:$HERE/pymods/ipex28 PY=/usr/bin/python3 doctor doctor --json
check "IPEX 2.8 with (stand-in) torch 2.8: WARN retired" is frameworks.ipex WARN
PYTHONPATH=$HERE/pymods/torch28 PY=/usr/bin/python3 doctor doctor --json
check "no IPEX: SKIP" is frameworks.ipex SKIP
FAKE_TORCH_XPU=1 PYTHONPATH=$HERE/pymods/torch28 PY=/usr/bin/python3 doctor --sysroot "$IGPU" doctor --json
check "(stand-in) torch with XPU, Intel GPU: torch.xpu PASS" is frameworks.torch_xpu PASS
FAKE_TORCH_CUDA=1 PYTHONPATH=$HERE/pymods/torch28 PY=/usr/bin/python3 doctor --sysroot "$SRC/tests/fixtures/h200" doctor --json
check "(stand-in) torch with CUDA, NVIDIA GPU: torch.cuda PASS" is frameworks.torch_cuda PASS
PYTHONPATH=$HERE/pymods/torch28 PY=/usr/bin/python3 doctor --sysroot "$SRC/tests/fixtures/h200" doctor --json
check "(stand-in) CUDA torch that sees no GPU: torch.cuda FAIL" is frameworks.torch_cuda FAIL

# --- the Pythons found: PATH, /usr/bin/python3, the active venv, conda ---
# a Python first in PATH without torch (as pyenv's shim can be), a venv's
# and a conda prefix's: each listed with where it was found; the one checked
# says so; one with torch is named in the fix
PYS=$TMP/pythons
mkdir -p "$PYS/bin" "$PYS/venv/bin" "$PYS/conda/bin"
printf '#!/bin/sh\n# site-packages off: no torch here\nexec /usr/bin/python3 -S "$@"\n' >"$PYS/bin/python3"
cp "$PYS/bin/python3" "$PYS/venv/bin/python" && cp "$PYS/bin/python3" "$PYS/conda/bin/python"
chmod +x "$PYS/bin/python3" "$PYS/venv/bin/python" "$PYS/conda/bin/python"
pythons() { PATH=$PYS/bin:$PATH VIRTUAL_ENV=$PYS/venv CONDA_PREFIX=$PYS/conda "$@"; }
pythons env -u XPU_PYTHON "$XPU" doctor --json >"$TMP/out" 2>"$TMP/err"
check "pythons: the one checked is PATH's first python3, saying so" evidence_has frameworks.pythons "^checked $PYS/bin/python3 (PATH: no torch)"
check "pythons: the active venv's is listed" evidence_has frameworks.pythons "$PYS/venv/bin/python (venv \$VIRTUAL_ENV: no torch)"
check "pythons: conda's is listed" evidence_has frameworks.pythons "$PYS/conda/bin/python (conda \$CONDA_PREFIX: no torch)"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	tv=$(/usr/bin/python3 -c 'import importlib.metadata as m; print(m.version("torch"))')
	check "pythons: /usr/bin/python3's torch $tv is found" evidence_has frameworks.pythons "/usr/bin/python3 ([^)]*torch $tv)"
	check "pythons: WARN, as another Python has torch" is frameworks.pythons WARN
	check "pythons: the fix names it" fix_has frameworks.pythons "XPU_PYTHON=/usr/bin/python3 xpu doctor"
	check "torch: its fix names the Python that has torch" fix_has frameworks.torch "/usr/bin/python3 has torch $tv"
	pythons env XPU_PYTHON=/usr/bin/python3 "$XPU" doctor --json >"$TMP/out" 2>"$TMP/err"
	tiv=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')
	check "pythons: XPU_PYTHON with torch: PASS" is frameworks.pythons PASS
	check "pythons: ... saying which was checked, how, and its torch $tiv" evidence_has frameworks.pythons "^checked /usr/bin/python3 (XPU_PYTHON: torch $tiv)"
else
	skip "pythons: /usr/bin/python3's torch found and named (6 checks)" "/usr/bin/python3 has no torch (python3-torch)"
fi
pythons env XPU_PYTHON=/nonexistent/python3 "$XPU" doctor --json >"$TMP/out" 2>"$TMP/err"
check "pythons: XPU_PYTHON missing: says so, and lists the others" evidence_has frameworks.pythons "the interpreter asked for: not found.*$PYS/bin/python3"

# --- apps, against the LOCAL STAND-IN server ---
start_server() { # start_server MODE: sets PORT
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -f "$TMP/port"
	python3 "$HERE/standin_server.py" "$1" "$TMP/port" &
	SERVER_PID=$!
	for _ in $(seq 1 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
	PORT=$(cat "$TMP/port" 2>/dev/null)
}
doctor doctor --json
check "no --app: apps SKIP" is apps SKIP
start_server ollama-gpu
doctor --sysroot "$IGPU" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "ollama up: server PASS with its version" evidence_has apps.ollama.server "Ollama 0.12.11"
check "ollama: models PASS" is apps.ollama.models PASS
check "model 100% in VRAM: PASS" is apps.ollama.gpu PASS
start_server ollama-cpu
doctor --sysroot "$IGPU" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "model on CPU, GPU machine: FAIL 'runs 100% on CPU'" evidence_has apps.ollama.gpu "runs 100% on CPU"
check "... verdict FAIL" is apps.ollama.gpu FAIL
doctor doctor --app ollama --url "http://127.0.0.1:$PORT" --json
if ! jq -e '.checks[] | select(.id | startswith("kernel.driver."))' "$TMP/out" >/dev/null; then
	check "model on CPU, machine without GPU: PASS" is apps.ollama.gpu PASS
else
	skip "model on CPU, machine without GPU: PASS" "this machine has a GPU"
fi
start_server ollama-partial
doctor --sysroot "$IGPU" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "model 60% in VRAM: WARN with the share" evidence_has apps.ollama.gpu "60% on the GPU"
start_server ollama-empty
doctor --sysroot "$IGPU" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "no model pulled: WARN" is apps.ollama.models WARN
check "no model loaded: SKIP saying how to load one" evidence_has apps.ollama.gpu "ollama run"
OLLAMA_HOST=127.0.0.1:$PORT doctor --sysroot "$IGPU" doctor --app ollama --json
check "OLLAMA_HOST gives the default address" evidence_has apps.ollama.server "127.0.0.1:$PORT"
start_server slow
doctor doctor --app ollama --url "http://127.0.0.1:$PORT" --timeout 1 --json
check "slow server: FAIL 'no answer within 1.0 s'" evidence_has apps.ollama.server "no answer within 1.0 s"
check "... later checks SKIP" is apps.ollama.models SKIP
start_server garbage
doctor doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "garbage JSON: FAIL 'not JSON'" evidence_has apps.ollama.server "not JSON"
start_server http500
doctor doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "HTTP 500: FAIL naming it" evidence_has apps.ollama.server "HTTP 500"
kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
doctor doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "server down: FAIL 'cannot connect'" evidence_has apps.ollama.server "cannot connect"
check "... fix starts it" fix_has apps.ollama.server "systemctl start ollama"
start_server comfyui-cuda
doctor doctor --app comfyui --url "http://127.0.0.1:$PORT" --json
check "comfyui on cuda: device PASS" is apps.comfyui.device PASS
start_server comfyui-cpu
doctor --sysroot "$IGPU" doctor --app comfyui --url "http://127.0.0.1:$PORT" --json
check "comfyui on cpu, GPU machine: FAIL" is apps.comfyui.device FAIL
check "... fix installs the xpu torch for an Intel GPU" fix_has apps.comfyui.device "whl/xpu"
check "... and drops --cpu (the shipped profile's [cpu] flag)" fix_has apps.comfyui.device "^drop --cpu, and"
start_server ollama-gpu
doctor doctor --app comfyui --url "http://127.0.0.1:$PORT" --json
check "an Ollama answering as ComfyUI: FAIL (HTTP 404)" evidence_has apps.comfyui.server "HTTP 404"

# Ollama's environment: a process named ollama in a sysroot's /proc
T=$(tree env i915-igpu)
mkdir -p "$T/proc/4242"
echo ollama >"$T/proc/4242/comm"
printf 'HOME=/var/lib/ollama\0OLLAMA_HOST=127.0.0.1:11434\0' >"$T/proc/4242/environ"
doctor --sysroot "$T" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "iGPU only, OLLAMA_IGPU_ENABLE unset: FAIL" is apps.ollama.env FAIL
check "... fix sets it for the service" fix_has apps.ollama.env "Environment=OLLAMA_IGPU_ENABLE=1"
printf 'OLLAMA_IGPU_ENABLE=1\0GGML_VK_VISIBLE_DEVICES=-1\0' >"$T/proc/4242/environ"
doctor --sysroot "$T" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "GGML_VK_VISIBLE_DEVICES=-1: FAIL" evidence_has apps.ollama.env "GGML_VK_VISIBLE_DEVICES=-1"
printf 'OLLAMA_IGPU_ENABLE=1\0' >"$T/proc/4242/environ"
doctor --sysroot "$T" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "OLLAMA_IGPU_ENABLE=1: PASS" is apps.ollama.env PASS
mkdir -p "$T/etc" && : >"$T/etc/NIXOS"
printf 'HOME=/var/lib/ollama\0' >"$T/proc/4242/environ"
doctor --sysroot "$T" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "NixOS: the fix is services.ollama.environmentVariables" fix_has apps.ollama.env "services.ollama.environmentVariables.OLLAMA_IGPU_ENABLE"

printf 'OLLAMA_IGPU_ENABLE=1\0OLLAMA_VULKAN=0\0' >"$T/proc/4242/environ"
rm -f "$T/etc/NIXOS"
doctor --sysroot "$T" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "OLLAMA_VULKAN=0 on an Intel iGPU: FAIL, the profile's [vulkan] sets 1" evidence_has apps.ollama.env "OLLAMA_VULKAN=0; on .* (vulkan) the ollama profile sets OLLAMA_VULKAN=1"
check "... the app profile is named as a check" evidence_has apps.ollama.profile "$SRC/profiles/ollama.ini"
# the app knowledge comes from the profile of `xpu run`: change the profile
# (XPU_PROFILES_DIR), and the doctor's verdict and fix follow
mkdir -p "$TMP/profiles"
sed -e 's/^env.OLLAMA_IGPU_ENABLE = 1/env.OLLAMA_IGPU_ENABLE = yes-from-profile/' \
	-e "s|^url = .*|url = http://127.0.0.1:$PORT|" "$SRC/profiles/ollama.ini" >"$TMP/profiles/ollama.ini"
printf 'HOME=/var/lib/ollama\0' >"$T/proc/4242/environ"
XPU_PROFILES_DIR=$TMP/profiles doctor --sysroot "$T" doctor --app ollama --json
check "profile override: the fix sets the profile's value" fix_has apps.ollama.env "Environment=OLLAMA_IGPU_ENABLE=yes-from-profile"
check "... and names the profile file" evidence_has apps.ollama.env "$TMP/profiles/ollama.ini"
check "... the server address is the profile's url (no --url)" evidence_has apps.ollama.server "127.0.0.1:$PORT"
sed -i '/^require_integrated/d' "$TMP/profiles/ollama.ini"
XPU_PROFILES_DIR=$TMP/profiles doctor --sysroot "$T" doctor --app ollama --json
check "profile without require_integrated: OLLAMA_IGPU_ENABLE unset PASSes" is apps.ollama.env PASS
printf '[profile]\ncommand = ollama\nbogus = 1\n' >"$TMP/profiles/ollama.ini"
XPU_PROFILES_DIR=$TMP/profiles doctor --sysroot "$T" doctor --app ollama --json
check "malformed profile: apps.ollama.profile FAIL naming file and line" evidence_has apps.ollama.profile "ollama.ini:3"
check "... fix names XPU_PROFILES_DIR" fix_has apps.ollama.profile "XPU_PROFILES_DIR"
check "... exit status 2" rc_is 2
# NVIDIA: the [cuda] section's {uuid} selector
T=$(tree nvenv h200)
mkdir -p "$T/proc/4242"
echo ollama >"$T/proc/4242/comm"
printf 'CUDA_VISIBLE_DEVICES=-1\0' >"$T/proc/4242/environ"
doctor --sysroot "$T" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "NVIDIA, CUDA_VISIBLE_DEVICES=-1: FAIL, it hides the GPU from cuda" evidence_has apps.ollama.env "CUDA_VISIBLE_DEVICES=-1 hides .* from cuda (the ollama profile sets {uuid})"
check "... fix removes it" fix_has apps.ollama.env "remove CUDA_VISIBLE_DEVICES"
printf 'CUDA_VISIBLE_DEVICES=0\0' >"$T/proc/4242/environ"
doctor --sysroot "$T" doctor --app ollama --url "http://127.0.0.1:$PORT" --json
check "NVIDIA, CUDA_VISIBLE_DEVICES=0: PASS" is apps.ollama.env PASS
if [ -n "$STANDIN" ]; then
	printf 'CUDA_VISIBLE_DEVICES=1\0' >"$T/proc/4242/environ"
	nv -- --sysroot "$T" --runtimes=cuda,nvml doctor --app ollama --url "http://127.0.0.1:$PORT" --json
	check "NVIDIA (stand-in CUDA index 0), CUDA_VISIBLE_DEVICES=1: FAIL" is apps.ollama.env FAIL
	printf 'CUDA_VISIBLE_DEVICES=GPU-a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf\0' >"$T/proc/4242/environ"
	nv -- --sysroot "$T" --runtimes=cuda,nvml doctor --app ollama --url "http://127.0.0.1:$PORT" --json
	check "... its UUID in CUDA_VISIBLE_DEVICES: PASS" is apps.ollama.env PASS
else
	skip "NVIDIA stand-in CUDA index against CUDA_VISIBLE_DEVICES (2 checks)" "the stand-in CUDA library was not built"
fi
# ComfyUI: the flag that keeps it on the CPU is the profile's [cpu] arg
start_server comfyui-cpu
sed "s|^url = .*|url = http://127.0.0.1:$PORT|; s|^arg = --cpu|arg = --cpu-from-profile|" "$SRC/profiles/comfyui.ini" >"$TMP/profiles/comfyui.ini"
XPU_PROFILES_DIR=$TMP/profiles doctor --sysroot "$IGPU" doctor --app comfyui --json
check "comfyui on cpu: the fix drops the profile's [cpu] flag" fix_has apps.comfyui.device "^drop --cpu-from-profile, and in ComfyUI's environment"
check "... the server address is the profile's url" evidence_has apps.comfyui.server "127.0.0.1:$PORT"

# --- any app with a profile: what the profile says, and no API checks ---
for app in $SHIPPED_APPS; do
	doctor --sysroot "$IGPU" doctor --app "$app" --url "http://127.0.0.1:$PORT" --json
	check "--app $app is accepted (a report, not a usage error)" bash -c "[ -s '$TMP/out' ]"
	check "--app $app: its profile PASS" is "apps.$app.profile" PASS
done
# an app without API checks of its own (invokeai, given a url here): the
# profile's url (the stand-in, which answers 404 at /: a listening server)
sed "s|^command = .*|&\nurl = http://127.0.0.1:$PORT|" "$SRC/profiles/invokeai.ini" >"$TMP/profiles/invokeai.ini"
XPU_PROFILES_DIR=$TMP/profiles doctor --sysroot "$IGPU" doctor --app invokeai --json
check "invokeai: the server answers at the profile's url: PASS" evidence_has apps.invokeai.server "answers at http://127.0.0.1:$PORT"
check "... the API check SKIPs, naming the apps that have one" evidence_has apps.invokeai.api "API of comfyui, llama-server and ollama only"
check "... no process named invokeai-web: env SKIP" evidence_has apps.invokeai.env "no process named invokeai-web"
# llama-server: its own checks (tests/llm/llm.sh runs them on a real one)
sed "s|^url = .*|url = http://127.0.0.1:$PORT|" "$SRC/profiles/llama-server.ini" >"$TMP/profiles/llama-server.ini"
XPU_PROFILES_DIR=$TMP/profiles doctor --sysroot "$IGPU" doctor --app llama-server --json
check "llama-server: asked at the profile's url, where /health is 404: FAIL" evidence_has apps.llama-server.server "127.0.0.1:$PORT/health answers HTTP 404"
check "... model and layers SKIP, pointing at the server check" evidence_has apps.llama-server.layers "see apps.llama-server.server"
doctor --sysroot "$IGPU" doctor --app llama-server --json
check "llama-server, shipped profile: the default address is its url" evidence_has apps.llama-server.server "127.0.0.1:8080"
start_server http500
doctor doctor --app llama-server --url "http://127.0.0.1:$PORT" --json
check "llama-server answering HTTP 500: FAIL" is apps.llama-server.server FAIL
kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
doctor doctor --app llama-server --url "http://127.0.0.1:$PORT" --json
check "llama-server down: FAIL 'cannot connect'" evidence_has apps.llama-server.server "cannot connect"
check "... fix starts it through xpu run" fix_has apps.llama-server.server "xpu run --app llama-server"
# its service environment, held against the profile's [cuda] section
T=$(tree llama h200)
mkdir -p "$T/proc/4343"
echo llama-server >"$T/proc/4343/comm"
printf 'CUDA_VISIBLE_DEVICES=-1\0' >"$T/proc/4343/environ"
doctor --sysroot "$T" doctor --app llama-server --url "http://127.0.0.1:$PORT" --json
check "llama-server with CUDA_VISIBLE_DEVICES=-1 on NVIDIA: env FAIL" evidence_has apps.llama-server.env "CUDA_VISIBLE_DEVICES=-1 hides .* from cuda (the llama-server profile sets {uuid})"
# a profile without a url (a program, not a server): server and env SKIP with the reason
doctor --sysroot "$IGPU" doctor --app pytorch --json
check "pytorch (no url): server SKIP, saying the profile gives none" evidence_has apps.pytorch.server "gives no url"
check "... env SKIP" is apps.pytorch.env SKIP
# an administrator's profile (/etc/xpu/profiles.d) is an app too
mkdir -p "$TMP/etc/xpu/profiles.d"
printf '[profile]\ndescription = a site app\ncommand = siteapp\n[cpu]\narg = --cpu\n' >"$TMP/etc/xpu/profiles.d/siteapp.ini"
XPU_SYSCONFDIR=$TMP/etc doctor doctor --help
check "--help lists an administrator's app" grep -q "siteapp" "$TMP/out"
XPU_SYSCONFDIR=$TMP/etc doctor doctor --app bogus
check "an unknown app's line lists it too" err_has "siteapp"
XPU_SYSCONFDIR=$TMP/etc doctor --sysroot "$IGPU" doctor --app siteapp --json
check "--app siteapp: its profile from /etc/xpu/profiles.d PASS" evidence_has apps.siteapp.profile "$TMP/etc/xpu/profiles.d/siteapp.ini"
doctor --sysroot "$IGPU" doctor --app siteapp --json
check "without that folder, --app siteapp is unknown: exit 2" rc_is 2

# --- compat ---
doctor --sysroot "$IGPU" doctor --json
check "Iris Xe (Xe-LP): compat WARN (not in torch.xpu's list)" is compat.0000:00:02.0 WARN
check "... saying FP64 is emulated" evidence_has compat.0000:00:02.0 "no FP64 hardware"
check "h200 without CUDA answers: compat SKIP" bash -c "'$XPU' --sysroot '$SRC/tests/fixtures/h200' doctor --json 2>/dev/null | jq -e '.checks[] | select(.id == \"compat.0000:00:06.0\" and .verdict == \"SKIP\")' >/dev/null"

finish
