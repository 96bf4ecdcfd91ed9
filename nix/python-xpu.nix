# python-xpu: a Python whose torch is built for Intel GPUs (torch.xpu), as
# the seed's `python-ipex` meant (IPEX itself is retired:
# intel/intel-extension-for-pytorch#867).
#
# nixpkgs has no XPU torch. This takes python3.pkgs.torch as the package
# set has it, and requires it to be built for XPU (passthru.xpuSupport): the
# flake gets one from huggingface/hf-nix's overlay with
# nixpkgs.config.xpuSupport = true, which turns torch into torch-bin, PyTorch's
# own XPU wheel (download.pytorch.org/whl/xpu) over Intel's oneAPI runtime
# packages (unfree), patched with autoPatchelf: fetched and patched, not
# compiled (hf-nix pkgs/python-modules/torch/binary/generic.nix,
# pkgs/xpu-packages). MordragT/nixos packages the same wheels
# (pkgs/by-lang/intel-python/torch-bin) and a from-source build
# (.../torch) inside its own package set.
#
# The wrapper adds what the SYCL runtime under torch dlopens and nothing on
# a Nix system provides: the Level Zero loader, then the drivers of
# /run/opengl-driver/lib (hardware.xpu links them there), then
# intel-compute-runtime's own `drivers` output as the fallback.
{
  lib,
  python3,
  runCommand,
  makeWrapper,
  level-zero,
  intel-compute-runtime,
  addDriverRunpath,
  xpu,
  # more modules beside torch: python-xpu.override { extraPackages = ps: [ ps.numpy ]; }
  extraPackages ? ps: [ ],
}:
let
  xpuLib = import ./lib.nix { inherit lib; };
  inherit (python3.pkgs) torch;
  env = python3.withPackages (ps: [ ps.torch ] ++ extraPackages ps);
  wrapperArgs = xpuLib.levelZeroWrapperArgs {
    inherit level-zero intel-compute-runtime;
    inherit (addDriverRunpath) driverLink;
  };
in
if !(torch.xpuSupport or false) then
  throw ''
    python-xpu needs a torch built for XPU, and ${torch.name or "python3.pkgs.torch"} is not
    (nixpkgs has none). Use the flake's package (xpu.packages.x86_64-linux.python-xpu), or its
    overlay xpu.overlays.xpu-torch with nixpkgs.config = { xpuSupport = true; allowUnfree = true; }
    (huggingface/hf-nix's XPU torch, over Intel's unfree oneAPI runtime).''
else
  runCommand "python-xpu-${python3.version or "3"}"
    {
      nativeBuildInputs = [ makeWrapper ];
      passthru = {
        inherit torch env wrapperArgs;
        python = python3;
        # what `xpu run` may pick for it (tests, NixOS assertions)
        xpuBackends = [
          "level_zero"
          "cpu"
        ];
      };
      meta = {
        description = "Python with PyTorch built for Intel GPUs (torch.xpu), for xpu run";
        mainProgram = "python3";
        # PyTorch publishes its XPU wheels for x86_64 Linux only
        platforms = [ "x86_64-linux" ];
        inherit (xpu.meta) maintainers;
      };
    }
    ''
      mkdir -p "$out/bin"
      for program in ${env}/bin/*; do
        makeWrapper "$program" "$out/bin/$(basename "$program")" ${lib.escapeShellArgs wrapperArgs}
      done
    ''
