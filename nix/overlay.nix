# The overlay: xpu, python-xpu and the launchers on top of nixpkgs. Exported
# by the flake as overlays.default and, under the seed's name,
# overlays.intel-xpu; overlays.xpu-torch puts huggingface/hf-nix's overlay
# under it, for an XPU torch in pkgs (with nixpkgs.config.xpuSupport).
#
#   python-xpu    Python with torch built for XPU (needs an XPU torch in
#                 python3.pkgs, else evaluating it says what to use)
#   ollama-ipex   Ollama through Vulkan (pkgs.ollama-vulkan; nixpkgs has no
#                 SYCL/oneAPI Ollama), on the vulkan backend, else the policy
#   comfyui-ipex  ComfyUI on python-xpu, the backend xpu chooses (the seed's
#                 name; IPEX itself is retired)
#   comfyui-xpu   ComfyUI on python-xpu, forced onto level_zero (torch.xpu)
#   comfyui-cuda  nixpkgs' ComfyUI forced onto cuda (nixpkgs.config.cudaSupport
#                 gives it a CUDA torch)
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
  comfyuiOnXpu = final.callPackage ./comfyui-xpu.nix { };
in
{
  xpu = final.callPackage ./package.nix { };

  python-xpu = final.callPackage ./python-xpu.nix { };

  ollama-ipex = launcher {
    name = "ollama-ipex";
    app = "ollama";
    backend = "vulkan";
    strict = false;
    package = final.ollama-vulkan;
  };

  comfyui-ipex = launcher {
    name = "comfyui-ipex";
    app = "comfyui";
    package = comfyuiOnXpu;
  };

  comfyui-xpu = launcher {
    name = "comfyui-xpu";
    app = "comfyui";
    backend = "level_zero";
    package = comfyuiOnXpu;
  };

  comfyui-cuda = launcher {
    name = "comfyui-cuda";
    app = "comfyui";
    backend = "cuda";
    package = final.comfyui;
  };
}
