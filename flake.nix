{
  description = "xpu: find a machine's accelerators and run local AI (Ollama, ComfyUI) on them";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      # xpu builds wherever Linux does; these two are the ones with GPUs to drive
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f system);
      overlay = import ./nix/overlay.nix;
      pkgsFor =
        system:
        import nixpkgs {
          inherit system;
          overlays = [ overlay ];
        };
      # nixpkgs' comfyui has a CUDA torch only with cudaSupport (unfree CUDA)
      pkgsCudaFor =
        system:
        import nixpkgs {
          inherit system;
          overlays = [ overlay ];
          config = {
            allowUnfree = true;
            cudaSupport = true;
          };
        };
      # Modules are exported as { imports = [ path ]; }: NixOS imports each
      # file once however many exported names (and aliases) point at it.
      module = path: { imports = [ path ]; };
    in
    {
      packages = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
        in
        {
          default = pkgs.xpu;
          inherit (pkgs)
            xpu
            ollama-ipex
            comfyui-ipex
            comfyui-xpu
            ;
          inherit (pkgsCudaFor system) comfyui-cuda;
        }
      );

      overlays = {
        default = overlay;
        intel-xpu = overlay; # the seed's name
      };

      nixosModules = {
        xpu = module ./nix/modules/xpu.nix;
        ollama = module ./nix/modules/ollama.nix;
        comfyui = module ./nix/modules/comfyui.nix;
        exporter = module ./nix/modules/exporter.nix;
        # the seed's names
        ipex = module ./nix/modules/ipex.nix;
        ollama-ipex = module ./nix/modules/ollama-ipex.nix;
        default = {
          imports = [
            ./nix/modules/xpu.nix
            ./nix/modules/ollama.nix
            ./nix/modules/comfyui.nix
            ./nix/modules/exporter.nix
          ];
        };
      };

      homeManagerModules.default = module ./nix/modules/home-manager.nix;

      devShells = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
        in
        {
          default = pkgs.mkShell {
            inputsFrom = [ pkgs.xpu ];
            packages = with pkgs; [
              cmocka
              jq
              clang
              clang-tools
              clinfo
              vulkan-tools
              nix # nix-instantiate for tests/nix
            ];
            # tests/nix/eval.sh evaluates the modules with nixpkgs' lib and modules
            NIXPKGS_LIB = "${nixpkgs}";
          };
        }
      );

      checks = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
        in
        {
          xpu = pkgs.xpu;
        }
        // import ./nix/tests/vm.nix {
          inherit pkgs;
          inherit (self) nixosModules;
        }
      );
    };
}
