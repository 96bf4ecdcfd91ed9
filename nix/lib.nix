# Helpers shared by the package, the launchers and the modules: the
# backend names and order of `xpu run`, the command line that starts an app
# through it, and the INI text of /etc/xpu/config and ~/.config/xpu/config.
{ lib }:
let
  inherit (lib) types;
in
rec {
  # The backends `xpu run --backend` accepts, in xpu's default policy order
  # (DESIGN.md: cuda > level_zero > rocm > vulkan > cpu).
  backends = [
    "cuda"
    "level_zero"
    "rocm"
    "vulkan"
    "cpu"
  ];

  # The first of `preferred` (in policy order) that `declared` contains.
  firstDeclared = preferred: declared: lib.findFirst (b: lib.elem b declared) null preferred;

  # argv of `xpu run` for one app, up to and including the "--" that ends
  # xpu's own options.
  #   backend: null or "auto" lets xpu choose; otherwise forced.
  #   strict:  only with a forced backend: refuse to start on another one
  #            (--strict) or fall back to the next usable one (--fallback).
  runArgs =
    {
      app,
      backend ? null,
      device ? null,
      strict ? true,
    }:
    let
      forced = backend != null && backend != "auto";
    in
    [
      "run"
      "--app"
      app
    ]
    ++ lib.optionals forced [
      "--backend"
      backend
      (if strict then "--strict" else "--fallback")
    ]
    ++ lib.optionals (device != null) [
      "--device"
      device
    ]
    ++ [ "--" ];

  # One shell-quoted command line (for systemd's ExecStart=):
  # xpu run ... -- COMMAND ARGS
  runCommandLine =
    xpuExe: runOptions: command:
    lib.escapeShellArgs ([ xpuExe ] ++ runArgs runOptions ++ command);

  # host:port for a listen option; IPv6 addresses get brackets.
  hostPort =
    host: port:
    if lib.hasInfix ":" host && !(lib.hasPrefix "[" host) then
      "[${host}]:${toString port}"
    else
      "${host}:${toString port}";

  # The xpu config file is INI, read with inih: sections [default] and
  # [app.NAME]; the keys are those of xpu(1) (backend, device, command, ...).
  settingsType = types.attrsOf (
    types.attrsOf (
      types.oneOf [
        types.str
        types.int
        types.bool
      ]
    )
  );

  settingsExample = {
    default = {
      backend = "level_zero";
      device = "0";
    };
    "app.ollama".backend = "vulkan";
  };

  configText =
    origin: settings:
    "; written by ${origin}; edit the Nix option, not this file\n"
    + lib.generators.toINI { } settings;

  # The systemd settings that give one service CAP_PERFMON, or keep it off.
  # A capability granted inside a private user namespace does not reach the
  # host's perf and DRM checks, so PrivateUsers= goes off with it.
  perfmonServiceConfig =
    enabled:
    if enabled then
      {
        CapabilityBoundingSet = lib.mkForce [ "CAP_PERFMON" ];
        AmbientCapabilities = [ "CAP_PERFMON" ];
        PrivateUsers = lib.mkForce false;
      }
    else
      { };

  # Device classes (from /proc/devices) a GPU compute service needs:
  # /dev/dri/* (Intel, AMD, any render node), NVIDIA's nodes, AMD's KFD.
  gpuDeviceAllow = [
    "char-drm rw"
    "char-nvidiactl rw"
    "char-nvidia-caps rw"
    "char-nvidia-frontend rw"
    "char-nvidia-uvm rw"
    "char-kfd rw"
  ];
}
