# NixOS: nixpkgs' services.ollama, started through `xpu run --app ollama`
# once services.ollama.xpu.enable is set (nothing changes before).
#
# nixpkgs removed services.ollama.acceleration (NixOS/nixpkgs#466004); the
# backend is now the package: ollama-cpu, ollama-cuda, ollama-rocm,
# ollama-vulkan, or `ollama`, which follows nixpkgs.config.cudaSupport and
# rocmSupport. nixpkgs has no SYCL/oneAPI Ollama, so an Intel GPU runs
# Ollama through Vulkan.
#
# A chosen backend (services.ollama.xpu.backend, by default the first one
# hardware.xpu.backends declares) picks the package, with mkDefault so that
# yours wins; "auto" keeps the package you or nixpkgs chose. Either way the
# backend xpu will pick must be one the package drives, or evaluation stops
# naming the package to set: a Vulkan build on a CUDA machine would get the
# profile's [cuda] variables (OLLAMA_VULKAN=0) and run on the CPU.
#
# nixpkgs' unit already has a closed device policy with the GPU nodes and
# the render group; this module replaces ExecStart and grants CAP_PERFMON
# only when asked (Ollama's Vulkan VRAM query on Intel needs it).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  xpuLib = import ../lib.nix { inherit lib; };
  ollama = config.services.ollama;
  cfg = ollama.xpu;
  hw = config.hardware.xpu;

  # The Ollama build that can drive each backend.
  packageAttr = {
    cuda = "ollama-cuda";
    rocm = "ollama-rocm";
    vulkan = "ollama-vulkan";
    cpu = "ollama-cpu";
  };

  # Intel (level_zero) reaches Ollama through Vulkan.
  inherit (xpuLib.apps.ollama) order;
  declared = xpuLib.apps.ollama.declared hw.backends;
  available = xpuLib.apps.ollama.available hw.backends;
  backend = xpuLib.predictedBackend {
    inherit (cfg) backend;
    hardware = hw;
    inherit order declared;
  };
in
{
  imports = [ ./xpu.nix ];

  options.services.ollama.xpu = xpuLib.serviceOptions {
    app = "ollama";
    backendChoices = xpuLib.backends;
    defaultBackend = if hw.enable then xpuLib.firstDeclared order declared else "auto";
    defaultBackendText = ''
      the first of cuda, rocm, vulkan (also for level_zero), cpu in
      config.hardware.xpu.backends; "auto" without hardware.xpu'';
    backendDescription = ''
      The backend Ollama runs on. A backend picks services.ollama.package
      (pkgs.ollama-cuda, -rocm, -vulkan, -cpu; yours wins); "auto" keeps the
      package and lets xpu choose the device, among the backends the package
      drives. Intel GPUs use "vulkan".
    '';
    perfmonWhy = "Ollama's Vulkan backend reads the free VRAM of Intel GPUs with it";
  };

  config = lib.mkIf (ollama.enable && cfg.enable) {
    assertions = [
      {
        assertion = cfg.backend != "level_zero";
        message = ''
          services.ollama.xpu.backend = "level_zero": nixpkgs has no Level Zero (SYCL) build
          of Ollama; Ollama reaches Intel GPUs through Vulkan. Set it to "vulkan".'';
      }
    ]
    ++ lib.optionals (cfg.backend != "level_zero") (
      xpuLib.backendAssertions {
        app = "ollama";
        inherit backend available;
        hardware = hw;
        packageText = "services.ollama.package (${ollama.package.name})";
        drives = xpuLib.ollamaBackends ollama.package;
        fix = b: "Set services.ollama.package = pkgs.${packageAttr.${b}}.";
      }
    );

    services.ollama.package = lib.mkIf (lib.hasAttr cfg.backend packageAttr) (
      lib.mkDefault pkgs.${packageAttr.${cfg.backend}}
    );

    systemd.services.ollama.serviceConfig = xpuLib.serviceConfig {
      xpu = config.programs.xpu.package;
      app = "ollama";
      inherit cfg;
      command = [
        (lib.getExe ollama.package)
        "serve"
      ];
    };
  };

  meta.maintainers = [ (import ../maintainers.nix).xpu ];
}
