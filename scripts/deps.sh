#!/bin/bash
# Installs what xpu needs to build and test on Debian 12 (run as root).
#   scripts/deps.sh          build + test dependencies
# Each capability lists its extra Debian packages in scripts/packages/*.list
# (one name per line, '#' comments).
# Real components the tests use: PoCL (OpenCL on the CPU), Mesa's lavapipe
# (Vulkan on the CPU), the Level Zero loader with no GPU driver, Intel's
# OpenCL ICD with no device, clinfo and vulkaninfo as independent readers.
set -eu
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" != 0 ]; then
	echo "scripts/deps.sh: run as root (sudo scripts/deps.sh): it installs Debian packages" >&2
	exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	gcc clang llvm libclang-rt-14-dev meson ninja-build pkg-config \
	libcmocka-dev libjansson-dev libpci-dev pciutils \
	libvulkan-dev libvulkan1 mesa-vulkan-drivers vulkan-tools \
	opencl-headers ocl-icd-opencl-dev ocl-icd-libopencl1 pocl-opencl-icd intel-opencl-icd clinfo \
	libze1 libze-dev \
	jq groff-base man-db ca-certificates \
	$(cat "$(dirname "$0")"/packages/*.list 2>/dev/null | sed 's/#.*//') >/dev/null
echo "scripts/deps.sh: dependencies installed"
