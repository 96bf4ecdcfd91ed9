# ComfyUI on python-xpu's torch: nixpkgs' comfyui taken from a package set
# whose torch is built for XPU (the flake's, with hf-nix's overlay), wrapped
# with python-xpu's Level Zero environment, so that both the launchers and
# services.comfyui (package = comfyui-xpu.package) find the loader and the
# driver. share/ stays nixpkgs' (services.comfyui's preStart copies from it).
{
  lib,
  comfyui,
  python-xpu,
  runCommand,
  makeWrapper,
}:
let
  xpuLib = import ./lib.nix { inherit lib; };
  # nixpkgs' comfyui lists its torch among its Python dependencies
  torch = xpuLib.torchOf comfyui;
in
if torch == null || !(torch.xpuSupport or false) then
  throw ''
    comfyui-xpu: ${comfyui.name}'s torch is ${
      if torch == null then "not found" else torch.name
    }, not one built for XPU. Use the flake's package (xpu.packages.x86_64-linux.comfyui-xpu),
    or its overlay xpu.overlays.xpu-torch with nixpkgs.config = { xpuSupport = true; allowUnfree = true; }.''
else
  runCommand "${comfyui.name}-xpu"
    {
      nativeBuildInputs = [ makeWrapper ];
      passthru = {
        unwrapped = comfyui;
        inherit torch python-xpu;
        inherit (python-xpu) xpuBackends;
      };
      meta = comfyui.meta // {
        inherit (python-xpu.meta) platforms;
        description = "ComfyUI on PyTorch built for Intel GPUs (python-xpu)";
      };
    }
    ''
      mkdir -p "$out/bin"
      ln -s ${comfyui}/share "$out/share"
      makeWrapper ${lib.escapeShellArg (lib.getExe comfyui)} "$out/bin/comfyui" \
        ${lib.escapeShellArgs python-xpu.wrapperArgs}
    ''
