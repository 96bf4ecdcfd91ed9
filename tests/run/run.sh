#!/bin/bash
# `xpu run`, `xpu config` and the launchers as users meet them, with real
# child processes: a helper program (helper.c) started under the names of the
# apps records the exact argv and environment it received.  Fixture machines
# (--sysroot) get their backends declared with XPU_ASSUME_USABLE, since a
# replay probes no runtime.
# Usage: run.sh XPU_BINARY HELPER_BINARY SOURCE_DIR BUILD_DIR
set -u
XPU=$1
HELPER=$2
SRC=$3
BUILD=$4
TMP=$(mktemp -d /tmp/xpu-run-XXXXXX)
trap 'chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
. "$SRC/tests/lib.sh"
check_failed() { sed 's/^/#   /' "$TMP/err" 2>/dev/null | head -5; }

# A clean environment: no config, shipped profiles from the source tree.
# The shipped profiles are profiles/*.ini, whatever their number; the helper
# stands in for the program each profile starts (its `command`).
SHIPPED=$(cd "$SRC/profiles" && ls -- *.ini | sed 's/\.ini$//')
command_of() { sed -n 's/^command *= *//p' "$SRC/profiles/$1.ini"; }
mkdir -p "$TMP/bin" "$TMP/etc/xpu" "$TMP/home/.config/xpu"
for p in $SHIPPED; do
	ln -sf "$HELPER" "$TMP/bin/$(command_of "$p")"
done
printf '#!/bin/sh\n' >"$TMP/bin/not-executable"
unset XPU_BACKEND XPU_DEVICE XPU_FALLBACK XPU_SYSROOT XPU_ASSUME_USABLE XDG_CONFIG_HOME
unset HELPER_EXIT HELPER_SIGNAL CUDA_VISIBLE_DEVICES ONEAPI_DEVICE_SELECTOR
export HOME=$TMP/home XPU_SYSCONFDIR=$TMP/etc XPU_PROFILES_DIR=$SRC/profiles
export PATH=$TMP/bin:/usr/bin:/bin HELPER_OUT=$TMP/got XPU_CACHE_DIR=$TMP/cache
FIX=$SRC/tests/fixtures
# the iGPU + RTX 4090 laptop: device 0 Intel Arc (xe), 1 the NVIDIA GPU, 2 the CPU
MIXED="0:level_zero=0,0:vulkan=1,1:cuda=0,1:vulkan=0"
NV_UUID=GPU-5e8d9c41-2b4a-4c6f-9a0e-0d1c2b3a4f5e

# run ARGS: xpu with its status, stdout, stderr captured; the helper's record in $TMP/got
run() { rm -f "$TMP/got"; "$XPU" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
on_mixed() { XPU_SYSROOT=$FIX/igpu-plus-nvidia XPU_ASSUME_USABLE=$MIXED run "$@"; }
on_igpu() { XPU_SYSROOT=$FIX/i915-igpu XPU_ASSUME_USABLE=0:level_zero=0,0:vulkan=0 run "$@"; }
rc_is() { [ "$(cat "$TMP/rc")" = "$1" ]; }
got_env() { grep -qxF "env $1" "$TMP/got"; }            # got_env NAME=VALUE
lacks_env() { ! grep -q "^env $1=" "$TMP/got"; }         # lacks_env NAME
got_args() { [ "$(sed -n 's/^arg //p' "$TMP/got" | tr '\n' ' ')" = "$1 " ]; }
err_has() { grep -qF -- "$1" "$TMP/err"; }
one_line() { [ "$(wc -l <"$TMP/err")" = 1 ]; }

# --- the policy and the profiles, seen by the app ---
export HIP_VISIBLE_DEVICES=3 ZE_AFFINITY_MASK=1 KEEP_ME=yes
on_mixed run -- comfyui --listen 0.0.0.0
check "comfyui auto on iGPU+NVIDIA: exit 0" rc_is 0
check "comfyui auto takes CUDA, by UUID" got_env CUDA_VISIBLE_DEVICES=$NV_UUID
check "comfyui on CUDA hides the Intel XPU (ComfyUI tests XPU first)" got_env 'ONEAPI_DEVICE_SELECTOR=!level_zero:gpu'
check "comfyui on CUDA unsets HIP_VISIBLE_DEVICES" lacks_env HIP_VISIBLE_DEVICES
check "comfyui on CUDA unsets ZE_AFFINITY_MASK" lacks_env ZE_AFFINITY_MASK
check "other variables pass through" got_env KEEP_ME=yes
check "comfyui's arguments pass unchanged" got_args "comfyui --listen 0.0.0.0"
on_mixed run --backend level_zero -- comfyui
check "comfyui forced level_zero: ONEAPI_DEVICE_SELECTOR=level_zero:0" got_env ONEAPI_DEVICE_SELECTOR=level_zero:0
check "comfyui forced level_zero hides NVIDIA (empty CUDA_VISIBLE_DEVICES)" got_env CUDA_VISIBLE_DEVICES=
check "comfyui forced level_zero unsets ZE_AFFINITY_MASK" lacks_env ZE_AFFINITY_MASK
on_mixed run --backend cpu -- comfyui --port 8188
check "comfyui on the CPU gets --cpu" got_args "comfyui --port 8188 --cpu"
on_mixed run --backend vulkan -- comfyui
check "comfyui forced vulkan: exit 1" rc_is 1
check "... saying the profile has no [vulkan] section, on one line" bash -c "grep -q 'profile comfyui has no \[vulkan\] section' '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
check "... and runs nothing" test ! -e "$TMP/got"
unset HIP_VISIBLE_DEVICES ZE_AFFINITY_MASK KEEP_ME

on_igpu run -- ollama serve
check "ollama on an Intel iGPU: exit 0" rc_is 0
check "ollama on an Intel iGPU goes through Vulkan device 0" got_env GGML_VK_VISIBLE_DEVICES=0
check "ollama on an iGPU sets OLLAMA_IGPU_ENABLE=1" got_env OLLAMA_IGPU_ENABLE=1
check "ollama on Vulkan keeps CUDA away" got_env CUDA_VISIBLE_DEVICES=-1
check "ollama keeps its arguments" got_args "ollama serve"
on_mixed run --device 0 -- ollama
check "ollama on the mixed machine's iGPU: its Vulkan index 1" got_env GGML_VK_VISIBLE_DEVICES=1
on_mixed run -- ollama
check "ollama auto on the mixed machine: CUDA by UUID" got_env CUDA_VISIBLE_DEVICES=$NV_UUID
check "ollama on CUDA turns its Vulkan backend off" got_env OLLAMA_VULKAN=0
on_mixed run --backend cpu -- ollama
check "ollama on the CPU: no CUDA (-1)" got_env CUDA_VISIBLE_DEVICES=-1
check "ollama on the CPU: no ROCm (-1)" got_env ROCR_VISIBLE_DEVICES=-1

for case in "cuda:CUDA0 999" "level_zero:SYCL0 999" "vulkan:Vulkan0 999" "cpu:none 0"; do
	b=${case%%:*} rest=${case#*:}
	on_mixed run --backend "$b" -- llama-server -m model.gguf
	check "llama-server on $b: --device ${rest% *} -ngl ${rest#* }" got_args "llama-server -m model.gguf --device ${rest% *} -ngl ${rest#* }"
done
on_mixed run --backend vulkan --device 1 -- llama-server
check "llama-server on the NVIDIA GPU through Vulkan: its Vulkan index 0" got_env GGML_VK_VISIBLE_DEVICES=0
for case in cuda:cuda level_zero:xpu cpu:cpu; do
	on_mixed run --backend "${case%%:*}" -- invokeai-web
	check "invokeai on ${case%%:*}: INVOKEAI_DEVICE=${case#*:}" got_env INVOKEAI_DEVICE=${case#*:}
done
on_mixed run -- python3 train.py
check "python3 picks the pytorch profile: CUDA by UUID" got_env CUDA_VISIBLE_DEVICES=$NV_UUID
check "python3 keeps the script and its place" got_args "python3 train.py"
XPU_SYSROOT=$FIX/no-drm run run --app pytorch -- python3 x.py
check "a machine without GPU: the CPU, torch sees no CUDA device" got_env CUDA_VISIBLE_DEVICES=

# --- device selection ---
for spec in 1 0000:01:00.0 01:00.0 $NV_UUID 5e8d9c41-2b4a-4c6f-9a0e-0d1c2b3a4f5e "rtx 4090"; do
	on_mixed run --device "$spec" --backend cuda -- comfyui
	check "--device '$spec' names the NVIDIA GPU" got_env CUDA_VISIBLE_DEVICES=$NV_UUID
done
on_mixed run --device "Intel" --backend level_zero -- comfyui
check "--device by name part (Intel): 2 matches (GPU and CPU) exit 2" rc_is 2
check "... saying how many matched" err_has "matches 2 devices"
on_mixed run --device 7 -- comfyui
check "--device that matches nothing exits 2" rc_is 2
check "... naming it" err_has "device '7' matches no device"
on_mixed run --device 0 --backend cuda -- comfyui
check "cuda forced on the Intel GPU exits 1" rc_is 1
check "... saying cuda does not apply to it" err_has "backend cuda does not apply to device 0"

# --- forced backends, fallback, explain ---
XPU_SYSROOT=$FIX/i915-igpu run run --backend level_zero -- comfyui
check "forced level_zero, not usable on the replay: exit 1" rc_is 1
check "... with the reason (not probed) on one line" bash -c "grep -q 'forced backend level_zero is not usable on device 0' '$TMP/err' && grep -q 'not probed' '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
XPU_SYSROOT=$FIX/i915-igpu run run --backend level_zero --fallback -- comfyui
check "... with --fallback: runs" rc_is 0
check "... on the CPU (--cpu)" got_args "comfyui --cpu"
check "... and says it fell back" err_has "fell back"
on_igpu run --explain -- ollama
check "--explain lists the rejected level_zero candidate with its reason" err_has "rejected level_zero on device 0 (Alder Lake-P Integrated Graphics Contr"
check "--explain: the reason is the profile's missing section" err_has "profile ollama has no [level_zero] section"
check "--explain says what it chose" err_has "chose vulkan on device 0"
check "--explain says where the backend came from" err_has "run.backend = 'auto' from default"
run run --backend bogus -- comfyui
check "unknown backend: exit 2" rc_is 2
check "unknown backend: one line naming it" bash -c "grep -q \"'bogus'\" '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
XPU_ASSUME_USABLE=0:cuda run run --app comfyui -- comfyui
check "XPU_ASSUME_USABLE on the live machine is refused (exit 2)" rc_is 2
XPU_SYSROOT=$FIX/i915-igpu XPU_ASSUME_USABLE=9:cuda run run -- comfyui
check "XPU_ASSUME_USABLE with a bad device index: exit 2, named" bash -c "[ \$(cat '$TMP/rc') = 2 ] && grep -q \"device '9'\" '$TMP/err'"

# --- print-env and dry-run run nothing, and say exactly what would run ---
on_mixed run --dry-run -- comfyui --listen
check "--dry-run exits 0" rc_is 0
check "--dry-run runs nothing" test ! -e "$TMP/got"
check "--dry-run shows the resolved program and arguments" grep -qxF "exec '$TMP/bin/comfyui' '--listen'" "$TMP/out"
check "--dry-run shows the variables set" grep -qxF "export CUDA_VISIBLE_DEVICES='$NV_UUID'" "$TMP/out"
on_mixed run --print-env --app comfyui
check "--print-env with --app only" grep -qxF "unset ZE_AFFINITY_MASK" "$TMP/out"
eval "$(cat "$TMP/out")"
check "--print-env output is shell: eval sets the variable" [ "${ONEAPI_DEVICE_SELECTOR-}" = '!level_zero:gpu' ]
unset ONEAPI_DEVICE_SELECTOR CUDA_VISIBLE_DEVICES

# --- exec: exit status, signals, PATH, no child left behind ---
HELPER_EXIT=42 run run -- comfyui
check "the app's exit status is xpu run's (42)" rc_is 42
(HELPER_SIGNAL=15 "$TMP/bin/comfyui"); direct=$?
(HELPER_SIGNAL=15 "$XPU" run -- comfyui); via=$?
check "a child killed by SIGTERM: same status as run directly ($direct = $via)" [ "$direct" = "$via" -a "$via" = 143 ]
(HELPER_SIGNAL=6 "$XPU" run --app comfyui -- comfyui 2>/dev/null); via=$?
check "SIGABRT passes through too (134)" [ "$via" = 134 ]
"$XPU" run -- comfyui & pid=$!
wait $pid
check "execve, no child: the app has xpu run's pid" grep -qx "pid $pid" "$TMP/got"
run run -- no-such-app-xpu-test arg
check "command not found: exit 127" rc_is 127
check "command not found: one line naming it" bash -c "grep -q 'no-such-app-xpu-test: command not found' '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
run run -- not-executable
check "a file that is not executable: exit 126" rc_is 126
run run -- ./no/such/path
check "a path that does not exist: exit 127" rc_is 127
run run -- true
check "a command without a profile runs as is (true)" rc_is 0
run run -- sh -c 'exit 3'
check "arguments reach a command without a profile" rc_is 3
run run
check "no COMMAND and no --app: exit 2" rc_is 2
run run --app no-such-profile -- comfyui
check "an unknown profile: exit 1, named" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q \"no profile 'no-such-profile'\" '$TMP/err'"

# --- precedence: command line > environment > user config > /etc > default ---
backend_of() { # the backend the helper was started for, from what it received
	on_mixed run "$@" -- comfyui
	if got_env CUDA_VISIBLE_DEVICES=$NV_UUID; then echo cuda
	elif got_env ONEAPI_DEVICE_SELECTOR=level_zero:0; then echo level_zero
	elif grep -qx 'arg --cpu' "$TMP/got" 2>/dev/null; then echo cpu
	else echo none; fi
}
src_of() { "$XPU" config --json | jq -r ".settings[] | select(.key == \"$1\") | .source"; }
check "default: auto (CUDA on the mixed machine)" [ "$(backend_of)" = cuda ]
check "default: source 'default'" [ "$(src_of run.backend)" = default ]
printf '[run]\nbackend = cpu\n' >"$TMP/etc/xpu/config"
check "/etc/xpu/config beats the default (cpu)" [ "$(backend_of)" = cpu ]
check "... source 'system config'" [ "$(src_of run.backend)" = "system config" ]
printf '[run]\nbackend = level_zero\n' >"$TMP/home/.config/xpu/config"
check "user config beats /etc (level_zero)" [ "$(backend_of)" = level_zero ]
check "... source 'user config'" [ "$(src_of run.backend)" = "user config" ]
export XDG_CONFIG_HOME=$TMP/xdg && mkdir -p "$TMP/xdg/xpu" && printf '[run]\nbackend = cuda\n' >"$TMP/xdg/xpu/config"
check "XDG_CONFIG_HOME moves the user config (cuda)" [ "$(backend_of)" = cuda ]
unset XDG_CONFIG_HOME
export XPU_BACKEND=cuda
check "XPU_BACKEND beats the user config (cuda)" [ "$(backend_of)" = cuda ]
check "... source 'environment'" [ "$(src_of run.backend)" = environment ]
check "--backend beats XPU_BACKEND (level_zero)" [ "$(backend_of --backend level_zero)" = level_zero ]
on_mixed run --backend level_zero --explain -- comfyui
check "--explain names the command line as the source" err_has "run.backend = 'level_zero' from command line (--backend)"
unset XPU_BACKEND
rm -f "$TMP/etc/xpu/config" "$TMP/home/.config/xpu/config"
export XPU_DEVICE=0
on_mixed run -- ollama
check "XPU_DEVICE picks the device (ollama on the iGPU's Vulkan index 1)" got_env GGML_VK_VISIBLE_DEVICES=1
check "--device beats XPU_DEVICE" [ "$(on_mixed run --device 1 -- ollama; sed -n 's/^env CUDA_VISIBLE_DEVICES=//p' "$TMP/got")" = "$NV_UUID" ]
unset XPU_DEVICE
printf '[run]\nbackend = rocm\nfallback = yes\n' >"$TMP/home/.config/xpu/config"
check "fallback = yes in the config: a forced rocm falls back (CUDA)" [ "$(backend_of)" = cuda ]
on_mixed run --strict -- comfyui
check "--strict beats fallback = yes: exit 1" rc_is 1
rm -f "$TMP/etc/xpu/config" "$TMP/home/.config/xpu/config"

# --- every shipped profile, by name and by its command ---
check "the shipped profiles are found" [ -n "$SHIPPED" ]
for p in $SHIPPED; do
	on_mixed run --app "$p" --dry-run -- "$(command_of "$p")"
	check "run --app $p --dry-run on the mixed machine: exit 0" rc_is 0
	check "... runs the profile's command from PATH" grep -q "^exec '$TMP/bin/$(command_of "$p")'" "$TMP/out"
	on_mixed run --explain --dry-run -- "$(command_of "$p")"
	check "the command $(command_of "$p") alone selects the $p profile" err_has "profile $p ($SRC/profiles/$p.ini)"
done

# --- malformed configs and profiles: FILE:LINE: what is wrong ---
printf '[run]\nbackend = cuda\ncolour = red\n' >"$TMP/etc/xpu/config"
run config
check "unknown config key: exit 1" rc_is 1
check "unknown config key: FILE:LINE names it" err_has "$TMP/etc/xpu/config:3: unknown key 'colour' in [run]"
check "unknown config key: one line" one_line
run run run -- true
check "xpu run with a bad config: exit 1 before running" rc_is 1
printf '[run]\nbackend = tpu\n' >"$TMP/etc/xpu/config"
run config
check "a bad backend in the config: FILE:LINE" err_has "$TMP/etc/xpu/config:2: backend = 'tpu': unknown backend"
printf '[sound]\nvolume = 3\n' >"$TMP/etc/xpu/config"
run config
check "unknown section: FILE:LINE" err_has "$TMP/etc/xpu/config:2: unknown section [sound]"
printf 'just words\n' >"$TMP/etc/xpu/config"
run config
check "a line that is not INI: FILE:LINE" err_has "$TMP/etc/xpu/config:1: not a 'key = value' line"
rm -f "$TMP/etc/xpu/config" && mkdir "$TMP/etc/xpu/config"
run config
check "a folder as config: exit 1, named" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/etc/xpu/config: not a regular file (a folder)' '$TMP/err'"
rmdir "$TMP/etc/xpu/config"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	printf '[run]\nbackend = cpu\n' >"$TMP/etc/xpu/config" && chmod 000 "$TMP/etc/xpu/config"
	chmod 755 "$TMP" "$TMP/etc" "$TMP/etc/xpu"
	setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent "$XPU" config >/dev/null 2>"$TMP/err"
	check "an unreadable config (as nobody): named, with the reason" err_has "$TMP/etc/xpu/config: permission denied"
	rm -f "$TMP/etc/xpu/config"
else
	printf '[run]\nbackend = cpu\n' >"$TMP/etc/xpu/config" && chmod 000 "$TMP/etc/xpu/config"
	run config
	check "an unreadable config: named, with the reason" err_has "$TMP/etc/xpu/config: permission denied"
	rm -f "$TMP/etc/xpu/config"
fi
mkdir -p "$TMP/home/.config/xpu/profiles.d"
P=$TMP/home/.config/xpu/profiles.d/comfyui.ini
printf '[profile]\ncommands = comfyui\n[cuda]\nenv.CUDA_VISIBLE_DEVICES = {gpu_uuid}\n' >"$P"
on_mixed run -- comfyui
check "bad placeholder: exit 1" rc_is 1
check "bad placeholder: FILE:LINE names it" err_has "$P:4: env.CUDA_VISIBLE_DEVICES: unknown placeholder {gpu_uuid}"
printf '[profile]\ncommands = comfyui\n[cuda]\nenvironment = x\n' >"$P"
on_mixed run -- comfyui
check "unknown profile key: FILE:LINE" err_has "$P:4: unknown key 'environment'"
printf '[profile]\ncommands = comfyui\n[tpu]\narg = x\n' >"$P"
run config
check "unknown profile section, seen by xpu config: FILE:LINE" err_has "$P:4: unknown section [tpu]"
printf '[profile]\ncommands = comfyui\n[cuda]\nenv.1BAD = x\n' >"$P"
on_mixed run -- comfyui
check "a bad variable name: FILE:LINE" err_has "$P:4: '1BAD' is no environment variable name"
printf '[profile]\ncommands = comfyui\n[level_zero]\nenv.X = {uuid}\n' >"$P"
on_mixed run --backend level_zero -- comfyui
check "a placeholder without a value for the device (Intel UUID): exit 1, says why" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '{uuid} has no value for device 0' '$TMP/err'"
printf '[profile]\ncommands = comfyui\n[cpu]\narg = --lowvram\nenv.X = {{literal}} {backend}\n' >"$P"
on_mixed run --backend cpu -- comfyui
check "a user profile overrides the shipped one" got_args "comfyui --lowvram"
check "{{ }} are literal braces; {backend} is the backend" got_env "X={literal} cpu"
run config
check "xpu config shows the user's profile in effect" grep -q "comfyui .*$P" "$TMP/out"
rm -f "$P"

# --- issue 15: hostile files.  A FIFO stalled the readers (fopen blocks
# before any check); a profile or config another user can write steered
# what root ran (an LD_PRELOAD of theirs, an [apps] command of theirs). ---
bounded() { timeout 10 "$@"; }
mkfifo "$TMP/etc/xpu/config"
bounded "$XPU" config >/dev/null 2>"$TMP/err"; echo $? >"$TMP/rc"
check "a FIFO as config: exit 1 at once, one line naming it" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/etc/xpu/config: not a regular file (a FIFO)' '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
rm -f "$TMP/etc/xpu/config"
mkfifo "$P"
XPU_SYSROOT=$FIX/igpu-plus-nvidia XPU_ASSUME_USABLE=$MIXED bounded "$XPU" run --dry-run -- comfyui >/dev/null 2>"$TMP/err"; echo $? >"$TMP/rc"
check "a FIFO as a profile: exit 1 at once, naming it" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$P: not a regular file (a FIFO)' '$TMP/err'"
rm -f "$P"
if [ "$(id -u)" = 0 ]; then
	E=$TMP/etc/xpu/profiles.d
	mkdir -p "$E"
	printf '[profile]\ncommands = python3 python\n[cpu]\nenv.LD_PRELOAD = /tmp/their.so\n' >"$E/pytorch.ini"
	chown nobody "$E/pytorch.ini" && chmod 666 "$E/pytorch.ini"
	on_mixed run --backend cpu --dry-run --app pytorch -- python3 -c 1
	check "another user's world-writable profile: refused, exit 1" rc_is 1
	check "... naming the file and the chown that fixes it" err_has "$E/pytorch.ini: a file owned by nobody (uid $(id -u nobody)), neither root nor you"
	check "... and no LD_PRELOAD of theirs in the plan" bash -c "! grep -q their.so '$TMP/out'"
	chown root "$E/pytorch.ini"
	on_mixed run --backend cpu --dry-run --app pytorch -- python3 -c 1
	check "a world-writable profile of root's: refused with 'chmod go-w'" err_has "$E/pytorch.ini: writable by everyone (mode 0666), so anyone could change what xpu runs; 'chmod go-w $E/pytorch.ini'"
	chmod 644 "$E/pytorch.ini"
	on_mixed run --backend cpu --dry-run --app pytorch -- python3 -c 1
	check "... and read once fixed" bash -c "grep -q their.so '$TMP/out'"
	rm -f "$E/pytorch.ini"
	printf '[apps]\ncomfyui = /tmp/their-program\n' >"$TMP/etc/xpu/config"
	chown nobody "$TMP/etc/xpu/config"
	on_mixed run --dry-run --app comfyui
	check "another user's config with an [apps] command: refused" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/etc/xpu/config: a file owned by nobody' '$TMP/err' && ! grep -q their-program '$TMP/out'"
	rm -f "$TMP/etc/xpu/config"
	ln -s "$SRC/profiles/comfyui.ini" "$P" && chown -h nobody "$P"
	on_mixed run --dry-run -- comfyui
	check "a profile through another user's link: refused" err_has "$P: a link owned by nobody"
	rm -f "$P"
else
	echo "# skip: hostile profiles owned by another user need root to chown"
fi

# --- xpu config ---
run config --json
check "config --json: schema_version 1" [ "$(jq -r .schema_version "$TMP/out")" = 1 ]
check "config --json: the shipped profiles, each profiles/*.ini" [ "$(jq -r '.profiles[].name' "$TMP/out")" = "$SHIPPED" ]
check "config --json: ollama has no level_zero backend" [ "$(jq -r '.profiles[] | select(.name == "ollama") | .backends | join(",")' "$TMP/out")" = "cuda,rocm,vulkan,cpu" ]
check "config --json: /etc config path honours XPU_SYSCONFDIR" [ "$(jq -r .files.system_config.path "$TMP/out")" = "$TMP/etc/xpu/config" ]
printf '[apps]\ncomfyui = /opt/comfy/python main.py\n' >"$TMP/home/.config/xpu/config"
run config
check "config shows an app command and its file" grep -q "apps.comfyui .*/opt/comfy/python main.py .*user config ($TMP/home/.config/xpu/config)" "$TMP/out"
rm -f "$TMP/home/.config/xpu/config"

# --- the launchers, as installed (meson install --destdir) ---
DEST=$TMP/inst
if meson install -C "$BUILD" --destdir "$DEST" --no-rebuild --quiet >"$TMP/install.log" 2>&1; then
	bindir=$(dirname "$(find "$DEST" -name xpu -type f | head -1)")
	shipped=$(dirname "$(find "$DEST" -name comfyui.ini | head -1)")
	for l in comfyui-ipex comfyui-cuda comfyui-xpu ollama-ipex; do
		check "$l is installed as a symlink to xpu" [ -L "$bindir/$l" -a "$(readlink "$bindir/$l")" = xpu ]
	done
	export XPU_PROFILES_DIR=$shipped
	check "the installed profiles are profiles/*.ini" [ "$(ls "$shipped")" = "$(cd "$SRC/profiles" && ls -- *.ini)" ]
	launch() { local l=$1; shift; rm -f "$TMP/got"; XPU_SYSROOT=$FIX/igpu-plus-nvidia XPU_ASSUME_USABLE=$MIXED "$bindir/$l" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
	launch comfyui-ipex --listen
	check "comfyui-ipex: auto, CUDA by UUID" got_env CUDA_VISIBLE_DEVICES=$NV_UUID
	check "comfyui-ipex: starts comfyui from PATH with the arguments" got_args "comfyui --listen"
	launch comfyui-cuda
	check "comfyui-cuda: CUDA" got_env CUDA_VISIBLE_DEVICES=$NV_UUID
	launch comfyui-xpu
	check "comfyui-xpu: Level Zero" got_env ONEAPI_DEVICE_SELECTOR=level_zero:0
	launch comfyui-ipex --force-intel-xpu --port 8190
	check "comfyui-ipex --force-intel-xpu: Level Zero" got_env ONEAPI_DEVICE_SELECTOR=level_zero:0
	check "--force-intel-xpu is not passed to the app" got_args "comfyui --port 8190"
	XPU_SYSROOT=$FIX/i915-igpu "$bindir/comfyui-xpu" >/dev/null 2>"$TMP/err"; echo $? >"$TMP/rc"
	check "comfyui-xpu where Level Zero is not usable: exit 1" rc_is 1
	check "... naming the launcher and the reason" bash -c "grep -q '^comfyui-xpu: forced backend level_zero is not usable' '$TMP/err'"
	rm -f "$TMP/got"; XPU_SYSROOT=$FIX/i915-igpu XPU_ASSUME_USABLE=0:level_zero=0,0:vulkan=0 "$bindir/ollama-ipex" serve >/dev/null 2>"$TMP/err"
	check "ollama-ipex serve on an Intel iGPU: Vulkan with OLLAMA_IGPU_ENABLE=1" got_env OLLAMA_IGPU_ENABLE=1
	check "ollama-ipex passes 'serve'" got_args "ollama serve"
	printf '[apps]\ncomfyui = %s main.py\n' "$TMP/bin/python3" >"$TMP/home/.config/xpu/config"
	launch comfyui-cuda --listen
	check "config key apps.comfyui picks the real app (python3 main.py)" got_args "$TMP/bin/python3 main.py --listen"
	check "... with the comfyui profile still applied" got_env 'ONEAPI_DEVICE_SELECTOR=!level_zero:gpu'
	rm -f "$TMP/home/.config/xpu/config"
	PATH=/usr/bin:/bin launch comfyui-ipex
	check "comfyui-ipex without comfyui on PATH: exit 127, one line" bash -c "[ \$(cat '$TMP/rc') = 127 ] && grep -q 'comfyui: command not found' '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
	HELPER_SIGNAL=15 launch comfyui-cuda
	check "a launcher passes the app's signal status (143)" rc_is 143
else
	not_ok "meson install --destdir (see below)"
	sed 's/^/#   /' "$TMP/install.log"
fi

# --- help and man page stay in step ---
man_and_help_have() { grep -q -- "$1" "$TMP/out" && sed 's/\\-/-/g' "$2" | grep -q -- "$1"; }
run run --help
check "run --help exits 0" rc_is 0
for opt in --app --backend --device --strict --fallback --explain --print-env --dry-run --force-intel-xpu; do
	check "run --help and xpu-run(1) both document $opt" man_and_help_have "$opt" "$SRC/doc/xpu-run.1"
done
# the man page's PROFILES section names each shipped profile
man_profiles() { sed -n '/^\.SH PROFILES/,/^\.SH [A-Z]/p' "$SRC/doc/xpu-run.1" | sed 's/\\-/-/g'; }
for p in $SHIPPED; do
	check "xpu-run(1) names the shipped profile $p" grep -qF "\\fB$p\\fR" <<<"$(man_profiles)"
done
run config --help
check "config --help exits 0" rc_is 0
for opt in --json XPU_SYSCONFDIR XPU_PROFILES_DIR XDG_CONFIG_HOME; do
	check "config --help and xpu-config(1) both document $opt" man_and_help_have "$opt" "$SRC/doc/xpu-config.1"
done

finish
