# A launcher: bin/NAME runs `xpu run --app APP [--backend B --strict|--fallback]
# -- APP'S PROGRAM ARGS...`, so the app starts on the device and with the
# settings that xpu chooses (profiles in share/xpu/profiles, /etc/xpu/config).
#
# The wrapped app is an argument, so `comfyui-xpu.override { package =
# myComfyui; }` puts any build (e.g. one with an XPU torch) behind the same
# name. The launcher names the app's program by its store path: it does not
# depend on PATH, nor on the argv[0] dispatch of xpu's own symlinks.
{
  lib,
  runCommand,
  makeWrapper,
  xpu,
  # the name of the launcher program (bin/NAME)
  name,
  # the xpu app profile (ollama, comfyui, ...)
  app,
  # the wrapped app's package, and the program in it
  package,
  program ? lib.getExe package,
  # null: xpu chooses; otherwise forced (--backend B --strict, or --fallback)
  backend ? null,
  strict ? true,
  # arguments placed before the user's own
  extraArgs ? [ ],
}:
let
  xpuLib = import ./lib.nix { inherit lib; };
  argv = xpuLib.runArgs { inherit app backend strict; } ++ [ program ] ++ extraArgs;
in
runCommand name
  {
    nativeBuildInputs = [ makeWrapper ];
    passthru = {
      inherit app backend package;
      # the command line the wrapper runs (tests feed it to xpu run --dry-run)
      xpuArgv = [ (lib.getExe xpu) ] ++ argv;
      # what NixOS's hardware.xpu holds against the machine's backends
      xpuApp = app;
      xpuBackend = if backend == null then "auto" else backend;
      # the backends the wrapped package drives (null: unknown)
      xpuBackends =
        if app == "ollama" then xpuLib.ollamaBackends package else xpuLib.pythonAppBackends package;
    };
    meta = {
      description = "${app} started through `xpu run`${
        lib.optionalString (backend != null) " on the ${backend} backend"
      }";
      mainProgram = name;
      # wins over the argv[0] symlink of the same name in the xpu package
      priority = (xpu.meta.priority or 5) - 1;
      inherit (xpu.meta) platforms maintainers;
    };
  }
  ''
    # --argv0 xpu: the wrapper would otherwise pass its own name, and xpu
    # would take it for one of its argv[0] launcher names.
    makeWrapper ${lib.escapeShellArg (lib.getExe xpu)} "$out/bin/${name}" \
      --argv0 xpu \
      --add-flags ${lib.escapeShellArg (lib.escapeShellArgs argv)}
  ''
