# A stand-in for huggingface/hf-nix's overlay (overlay.nix), as far as the
# flake uses it: with nixpkgs.config.xpuSupport, python3Packages.torch is
# torch-bin built from PyTorch's XPU wheel over Intel's oneAPI runtime
# (pkgs/python-modules/torch/binary/generic.nix: passthru.xpuSupport,
# unfree runtime packages). The real one is an input of the flake.
final: prev: {
  pythonPackagesExtensions = prev.pythonPackagesExtensions ++ [
    (py: pyPrev: {
      torch = pyPrev.torch // {
        name = "python3.13-torch-2.9.0";
        outPath = "/nix/store/00000000000000000000000000000000-python3.13-torch-2.9.0${
          final.lib.optionalString (final.config.xpuSupport or false) "+xpu"
        }";
        xpuSupport = final.config.xpuSupport or false;
        src.url = "https://download.pytorch.org/whl/xpu/torch-2.9.0%2Bxpu-cp313-cp313-linux_x86_64.whl";
      };
    })
  ];
}
