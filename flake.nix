{
  description = "xpu: find a machine's accelerators and run local AI (Ollama, ComfyUI) on them";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      system = "x86_64-linux";
      overlay = import ./nix/overlay.nix;
      pkgs = import nixpkgs {
        inherit system;
        overlays = [ overlay ];
      };
      # nixpkgs' comfyui has a CUDA torch only with cudaSupport (unfree CUDA)
      pkgsCuda = import nixpkgs {
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
      packages.${system} = {
        default = pkgs.xpu;
        inherit (pkgs)
          xpu
          ollama-ipex
          comfyui-ipex
          comfyui-xpu
          ;
        inherit (pkgsCuda) comfyui-cuda;
      };

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

      devShells.${system}.default = pkgs.mkShell {
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
        # tests/nix/eval.sh evaluates the modules against this lib
        NIXPKGS_LIB = "${nixpkgs}/lib";
      };

      checks.${system} = {
        xpu = pkgs.xpu;
      }
      // import ./nix/tests/vm.nix {
        inherit pkgs;
        inherit (self) nixosModules;
      };
    };
}
