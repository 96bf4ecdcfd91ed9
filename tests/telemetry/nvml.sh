#!/bin/bash
# The one NVML symbol table (src/runtimes/nvml_api.h) against a stand-in
# libnvidia-ml.so.1 (fake_nvml.c, fixed values): `xpu list` (the discovery
# probe) and `xpu top` (the telemetry sampler) both read through it, and a
# missing entry point is named.  The real NVML: docs/hardware-runs.d/telemetry.md.
#   nvml.sh XPU SOURCE_DIR LIBNVIDIA_ML
set -u
XPU=$1 SRC=$2 LIB=$3
. "$SRC/tests/telemetry/common.sh"
T=$(mktemp -d /tmp/xpu-nvml-XXXXXX)
trap 'rm -rf "$T"' EXIT
make_root "$T/root"
export LD_LIBRARY_PATH=$(dirname "$LIB") XPU_CACHE_DIR=$T/cache
"$XPU" --sysroot "$T/root" --runtimes=nvml list --json >"$T/list.json" 2>"$T/list.err"
check "list: exit 0 with the stand-in NVML" test $? = 0
"$XPU" --sysroot "$T/root" --runtimes=nvml top --once --json --interval 200ms >"$T/top.json" 2>"$T/top.err"
check "top --once: exit 0 with the stand-in NVML" test $? = 0

# path=expected pairs on the NVML device (vendor nvidia) of each JSON
field() { # FILE PATH: the value at PATH (dots) of the nvidia device, or the process's
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
root = d
parts = sys.argv[2].split(".")
if parts[0] == "processes":
    root = d["processes"][0] if d["processes"] else {}
    parts = parts[1:]
else:
    root = next((x for x in d["devices"] if x["vendor"] == "nvidia"), {})
for p in parts:
    root = root.get(p) if isinstance(root, dict) else None
print(root)
PY
}
is() { [ "$(field "$1" "$2")" = "$3" ] || { echo "# $2 = $(field "$1" "$2"), want $3"; false; }; }

check "probe: name (nvmlDeviceGetName)" is "$T/list.json" name.value "Fake NVML GPU"
check "probe: driver version (nvmlSystemGetDriverVersion)" is "$T/list.json" driver_version.value 999.1
check "probe: a missing entry point is named" is "$T/list.json" memory_total_bytes.detail \
	"nvmlDeviceGetMemoryInfo missing in libnvidia-ml.so.1"
check "sampler: memory used (nvmlDeviceGetMemoryInfo_v2)" is "$T/top.json" memory_used_bytes.value $((123 << 20))
check "sampler: power (nvmlDeviceGetPowerUsage, mW)" is "$T/top.json" power_w.value 321.5
check "sampler: energy (nvmlDeviceGetTotalEnergyConsumption, mJ)" is "$T/top.json" energy_j.value 5000.0
check "sampler: utilisation (nvmlDeviceGetUtilizationRates)" is "$T/top.json" utilization_percent.value 77.0
check "sampler: max clock (nvmlDeviceGetMaxClockInfo)" is "$T/top.json" clock_max_mhz.value 1985
check "sampler: throttle reasons (nvmlDeviceGetCurrentClocksEventReasons)" is "$T/top.json" throttle_reasons.value sw_power_cap
check "sampler: fan not supported is said, not 0" is "$T/top.json" fan_percent.reason no_source
check "sampler: process list (nvmlDeviceGetComputeRunningProcesses_v3)" is "$T/top.json" processes.vram_bytes.value $((55 << 20))
finish
