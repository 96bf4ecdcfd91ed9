# A stand-in for nixpkgs' package set, enough to evaluate (never build) the
# package, the launchers, the overlay, the flake and the modules: packages
# are attribute sets that look like derivations, with store paths that name
# them; the builders return their arguments so the tests can read them.
{
  lib,
  overlays ? [ ],
  config ? { },
}:
let
  storePath = name: "/nix/store/00000000000000000000000000000000-${name}";

  fakeDerivation =
    name: attrs:
    attrs
    // (attrs.passthru or { })
    // {
      type = "derivation";
      inherit name;
      outPath = storePath name;
      meta = {
        platforms = lib.platforms.linux;
      }
      // (attrs.meta or { });
    };

  program = name: mainProgram: fakeDerivation name { meta = { inherit mainProgram; }; };
  library = name: fakeDerivation name { };
  withDrivers = name: fakeDerivation name { drivers = library "${name}-drivers"; };

  base = self: {
    inherit lib;
    config = {
      cudaSupport = false;
      allowUnfree = false;
    }
    // config;

    callPackage =
      fn: args:
      let
        f = if builtins.isFunction fn then fn else import fn;
      in
      f (builtins.intersectAttrs (builtins.functionArgs f) self // args);

    stdenv.mkDerivation =
      attrsOrFunction:
      let
        attrs =
          if builtins.isFunction attrsOrFunction then
            lib.fix (final: attrsOrFunction final)
          else
            attrsOrFunction;
      in
      fakeDerivation "${attrs.pname}-${attrs.version}" attrs;

    runCommand = name: env: buildCommand: fakeDerivation name (env // { inherit buildCommand; });
    mkShell = attrs: fakeDerivation "nix-shell" attrs;
    testers.runNixOSTest = test: fakeDerivation "vm-test-run-${test.name}" { inherit test; };

    ollama = program "ollama-0.32.0" "ollama";
    ollama-cpu = program "ollama-cpu-0.32.0" "ollama";
    ollama-cuda = program "ollama-cuda-0.32.0" "ollama";
    ollama-rocm = program "ollama-rocm-0.32.0" "ollama";
    ollama-vulkan = program "ollama-vulkan-0.32.0" "ollama";
    # nixpkgs' comfyui: CUDA torch only when config.cudaSupport is on
    comfyui = fakeDerivation "comfyui-0.34.1" {
      meta.mainProgram = "comfyui";
      passthru.cudaSupport = self.config.cudaSupport;
    };

    intel-compute-runtime = withDrivers "intel-compute-runtime-25.09.32961.5";
    intel-compute-runtime-legacy1 = withDrivers "intel-compute-runtime-legacy1-24.35.30872.32";
    level-zero = library "level-zero-1.28.0";
    ocl-icd = library "ocl-icd-2.3.3";
    vulkan-loader = library "vulkan-loader-1.4";
    jansson = library "jansson-2.14";
    pciutils = library "pciutils-3.13";
    inih = library "inih-62";
    curl = program "curl-8.17" "curl";
    libmicrohttpd = library "libmicrohttpd-0.9.77";
    ncurses = library "ncurses-6.5";
    cmocka = library "cmocka-1.1.8";
    meson = program "meson-1.9" "meson";
    ninja = program "ninja-1.13" "ninja";
    pkg-config = program "pkg-config-0.29" "pkg-config";
    makeWrapper = library "make-wrapper";
    addDriverRunpath = library "add-driver-runpath";
    jq = program "jq-1.8" "jq";
    clang = program "clang-21" "clang";
    clang-tools = library "clang-tools-21";
    clinfo = program "clinfo-3.0" "clinfo";
    vulkan-tools = library "vulkan-tools-1.4";
    nix = program "nix-2.31" "nix";
  };
in
lib.fix (lib.extends (lib.composeManyExtensions overlays) base)
