# Sourced by the perf scripts.
# perf_out_dir PREFIX: sets tmp to $OUT_DIR (created; the raw outputs are
# kept there) or to a new temporary folder removed at exit; calls die (the
# script's own) when neither can be made.
perf_out_dir() {
	if [ -n "${OUT_DIR:-}" ]; then
		mkdir -p "$OUT_DIR" || die "cannot create $OUT_DIR"
		tmp=$OUT_DIR
	else
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || die "no temporary folder"
		trap 'rm -rf "$tmp"' EXIT
	fi
}
