# xpu: the Meson build of this repository.
#
# xpu never links the GPU runtimes, nor libpci (PCI names, only for devices
# no driver named), libmicrohttpd (xpu exporter) and libcurl (xpu doctor's
# HTTP checks); it dlopen()s them at run time. On
# NixOS there is no /usr/lib, and a library no ELF file names is not kept in
# the closure, so the binary's RUNPATH carries:
#   - /run/opengl-driver/lib (addDriverRunpath): libcuda and libnvidia-ml
#     from the NVIDIA driver, and whatever hardware.graphics.extraPackages
#     links there (Intel's libze_intel_gpu, ...);
#   - the loaders from nixpkgs: level-zero (libze_loader, itself patched to
#     look in /run/opengl-driver/lib), ocl-icd (reads the ICDs that
#     hardware.graphics installs) and vulkan-loader;
#   - pciutils (libpci), libmicrohttpd and curl (their lib outputs);
#   - extraRuntimeLibraries, for anything else (e.g. rocmPackages.clr).
{
  lib,
  stdenv,
  meson,
  ninja,
  pkg-config,
  addDriverRunpath,
  jansson,
  pciutils,
  inih,
  curl,
  libmicrohttpd,
  ncurses,
  level-zero,
  ocl-icd,
  vulkan-loader,
  cmocka,
  extraRuntimeLibraries ? [ ],
}:
let
  root = ../.;

  # The version lives once, in meson.build (project(..., version : 'X', ...)).
  versionLines = builtins.filter (l: l != null) (
    map (builtins.match "[[:space:]]*version : '([^']+)',?[[:space:]]*") (
      lib.splitString "\n" (builtins.readFile (root + "/meson.build"))
    )
  );

  # Build inputs only: no build folders, no Nix files (editing a module must
  # not rebuild the program), no results of nix build.
  source = lib.cleanSourceWith {
    name = "xpu-source";
    src = lib.cleanSource root;
    filter =
      path: type:
      let
        base = baseNameOf path;
        relative = lib.removePrefix (toString root + "/") (toString path);
      in
      !(type == "directory" && lib.hasPrefix "build" base)
      && !(lib.hasPrefix ".carry" base)
      && !(lib.hasPrefix "result" base)
      && !(lib.elem relative [
        "nix"
        "flake.nix"
        "flake.lock"
        "docs"
      ]);
  };

  runtimeLibraries = [
    level-zero
    ocl-icd
    vulkan-loader
    pciutils
    libmicrohttpd
    curl
  ]
  ++ extraRuntimeLibraries;
in
stdenv.mkDerivation (finalAttrs: {
  pname = "xpu";
  version = builtins.head (builtins.head versionLines);

  src = source;

  strictDeps = true;

  nativeBuildInputs = [
    meson
    ninja
    pkg-config
    addDriverRunpath
  ];

  buildInputs = [
    jansson
    pciutils
    inih
    curl
    libmicrohttpd
    ncurses
  ];

  # The suite exercises real runtimes (PoCL, lavapipe, the Level Zero loader)
  # and ../shared fixtures that the build sandbox does not have; CI runs it
  # (tests/run.sh). `xpu.overrideAttrs { doCheck = true; }` builds it anyway.
  doCheck = false;
  # found by pkg-config for the host (tests/meson.build): a host input
  checkInputs = [ cmocka ];
  mesonFlags = [ (lib.mesonBool "tests" finalAttrs.doCheck) ];

  postFixup = ''
    patchelf --add-rpath ${lib.makeLibraryPath runtimeLibraries} $out/bin/xpu
    addDriverRunpath $out/bin/xpu
  '';

  passthru = {
    inherit runtimeLibraries;
  };

  meta = {
    description = "Find a machine's accelerators and run local AI apps on them";
    license = lib.licenses.mit;
    mainProgram = "xpu";
    platforms = lib.platforms.linux;
    maintainers = [ (import ./maintainers.nix).xpu ];
  };
})
