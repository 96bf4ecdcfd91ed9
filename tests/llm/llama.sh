#!/bin/bash
# llama.cpp for the tests and perf scripts of `xpu bench llm`: its source
# from the npm package node-llama-cpp (which ships llama.cpp's whole tree as
# a git bundle), a build of only what the tests run, reused once built.
#
#   tests/llm/llama.sh ensure [DIR]   source and CPU build in DIR (default:
#                                     build-llama at the checkout's root);
#                                     nothing to do when DIR/stamp matches
#   tests/llm/llama.sh source DIR     llama.cpp's source in DIR/src
#   tests/llm/llama.sh build SRC OUT [cuda]   configure and build in OUT
#   tests/llm/llama.sh configure SRC OUT [cuda]  configure only
#   tests/llm/llama.sh subset SRC DIR the files a build needs, for carrying
#                                     to another machine (about 10 MB gzipped)
#
# Build time, measured on the 2-core CI machine (docs/hardware-runs.md):
# only llama-server and llama-bench, static (BUILD_SHARED_LIBS=OFF), and
# for the CPU build -O1, which compiles the C++ of the server in 58% of
# -O3's CPU time; the tiny test model does not need -O3's speed.
# XPU_LLAMA=off skips it all (the tests that need it then say SKIP).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NODE_LLAMA_CPP=node-llama-cpp@3.21.1
# bump when configure()'s flags change: a build with other flags is redone
BUILD_FLAGS_VERSION=1

die() { echo "llama.sh: $*" >&2; exit 1; }

source_tree() { # DIR: DIR/src holds llama.cpp
	local dir=$1
	[ -f "$dir/src/CMakeLists.txt" ] && return 0
	command -v npm >/dev/null || die "npm is needed to fetch $NODE_LLAMA_CPP (install Node.js's npm)"
	command -v git >/dev/null || die "git is needed to open llama.cpp's bundle (apt-get install git)"
	mkdir -p "$dir/npm"
	local tgz
	tgz=$(ls "$dir"/npm/node-llama-cpp-*.tgz 2>/dev/null | head -1 || true)
	if [ -z "$tgz" ]; then
		(cd "$dir/npm" && npm pack --silent "$NODE_LLAMA_CPP" >/dev/null) ||
			die "npm pack $NODE_LLAMA_CPP failed (is the npm registry reachable?)"
		tgz=$(ls "$dir"/npm/node-llama-cpp-*.tgz | head -1)
	fi
	tar -xzf "$tgz" -C "$dir/npm" package/llama/gitRelease.bundle
	rm -rf "$dir/src.tmp"
	git -c advice.detachedHead=false clone -q "$dir/npm/package/llama/gitRelease.bundle" "$dir/src.tmp"
	rm -rf "$dir/npm/package"
	mv "$dir/src.tmp" "$dir/src"
}

configure() { # SRC OUT [cuda]
	local src=$1 out=$2 kind=${3:-cpu}
	local flags=(-G Ninja -DBUILD_SHARED_LIBS=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF
		-DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF
		-DGGML_NATIVE=ON -DGGML_CCACHE=OFF)
	if [ "$kind" = cuda ]; then
		# the figures compared with llama-bench: the project's own Release build
		flags+=(-DCMAKE_BUILD_TYPE=Release -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90
			-DGGML_CUDA_FA_ALL_QUANTS=OFF)
	else
		flags+=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O1 -DNDEBUG"
			"-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG")
	fi
	mkdir -p "$out"
	cmake -S "$src" -B "$out" "${flags[@]}" >"$out/configure.log" 2>&1 ||
		{ tail -20 "$out/configure.log" >&2; die "cmake failed (log: $out/configure.log)"; }
}

build() { # SRC OUT [cuda]
	local targets=(llama-server llama-bench)
	configure "$@"
	ninja -C "$2" -j "$(nproc)" "${targets[@]}" >"$2/build.log" 2>&1 ||
		{ tail -20 "$2/build.log" >&2; die "the build failed (log: $2/build.log)"; }
}

ensure() { # DIR
	local dir=${1:-$root/build-llama} stamp
	stamp="$NODE_LLAMA_CPP cpu $BUILD_FLAGS_VERSION"
	if [ -x "$dir/build/bin/llama-server" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "llama.sh: llama.cpp already built in $dir"
		return 0
	fi
	mkdir -p "$dir"
	local t0=$SECONDS
	source_tree "$dir"
	echo "llama.sh: building llama-server and llama-bench in $dir/build (minutes; its build.log says how far)"
	rm -rf "$dir/build"
	build "$dir/src" "$dir/build" cpu
	echo "$stamp" >"$dir/stamp"
	echo "llama.sh: llama.cpp built in $((SECONDS - t0)) s"
}

subset() { # SRC DIR: what a CUDA build of the three tools needs
	local src=$1 dir=$2
	mkdir -p "$dir"
	(cd "$src" && tar -cf - --exclude=.git \
		--exclude='ggml/src/ggml-'{opencl,vulkan,sycl,hexagon,metal,et,webgpu,openvino,cann,virtgpu,musa,zdnn,zendnn,blas,rpc} \
		--exclude='tools/ui/*/' CMakeLists.txt LICENSE cmake include src common vendor ggml tools app licenses \
		scripts/ui-assets.cmake models/ggml-vocab-llama-bpe.gguf) | tar -xf - -C "$dir"
}

case "${1:-}" in
ensure) ensure "${2:-}" ;;
source) source_tree "${2:?DIR}" ;;
build) build "${2:?SRC}" "${3:?OUT}" "${4:-cpu}" ;;
configure) configure "${2:?SRC}" "${3:?OUT}" "${4:-cpu}" ;;
subset) subset "${2:?SRC}" "${3:?DIR}" ;;
*) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
