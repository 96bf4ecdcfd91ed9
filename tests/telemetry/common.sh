# Sourced by the telemetry shell tests: counters, checks, and a recorded tree
# (the i915 iGPU fixture) with DRM clients added under /proc.
. "$SRC/tests/lib.sh"

# make_root DIR: a copy of the i915-igpu fixture at DIR
make_root() { mkdir -p "$1" && cp -a "$SRC/tests/fixtures/i915-igpu/." "$1/"; }

# client ROOT PID FD CLIENT_ID KIB [RENDER_NS]: an i915 client as the kernel
# prints it (drm-usage-stats), reached through /proc/PID/fd/FD
client() {
	local p=$1/proc/$2
	mkdir -p "$p/fd" "$p/fdinfo"
	echo "app$2" >"$p/comm"
	ln -sfn /dev/dri/renderD128 "$p/fd/$3"
	printf 'pos:\t0\nflags:\t02100002\ndrm-driver:\ti915\ndrm-client-id:\t%s\ndrm-pdev:\t0000:00:02.0\ndrm-total-system0:\t%s KiB\ndrm-resident-system0:\t%s KiB\ndrm-engine-render:\t%s ns\ndrm-engine-copy:\t0 ns\n' \
		"$4" "$5" "$5" "${6:-5000}" >"$p/fdinfo/$3"
}
