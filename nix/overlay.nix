# The overlay: xpu and its launchers on top of nixpkgs. Exported by the
# flake as overlays.default and, under the seed's name, overlays.intel-xpu.
#
#   ollama-ipex   Ollama (pkgs.ollama-vulkan: Ollama reaches Intel GPUs
#                 through Vulkan; nixpkgs has no SYCL/oneAPI Ollama), auto
#   comfyui-ipex  ComfyUI, auto (the seed's name; IPEX itself is retired)
#   comfyui-xpu   ComfyUI forced onto level_zero (torch.xpu)
#   comfyui-cuda  ComfyUI forced onto cuda
#
# nixpkgs' comfyui has CUDA torch only with nixpkgs.config.cudaSupport =
# true, and no XPU torch at all: override `package` with a ComfyUI whose
# torch has XPU support for comfyui-xpu to use an Intel GPU (docs/nixos.md).
final: prev:
let
  launcher =
    args:
    final.callPackage ./launcher.nix (
      {
        inherit (final) xpu;
      }
      // args
    );
in
{
  xpu = final.callPackage ./package.nix { };

  ollama-ipex = launcher {
    name = "ollama-ipex";
    app = "ollama";
    package = final.ollama-vulkan;
  };

  comfyui-ipex = launcher {
    name = "comfyui-ipex";
    app = "comfyui";
    package = final.comfyui;
  };

  comfyui-xpu = launcher {
    name = "comfyui-xpu";
    app = "comfyui";
    backend = "level_zero";
    package = final.comfyui;
  };

  comfyui-cuda = launcher {
    name = "comfyui-cuda";
    app = "comfyui";
    backend = "cuda";
    package = final.comfyui;
  };
}
