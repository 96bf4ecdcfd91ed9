# meta.maintainers of the package, the launchers and the NixOS modules:
# the project's own identity, as its commits carry it. Outside nixpkgs a
# maintainer is an attribute set of the shape lib.maintainers uses.
{
  xpu = {
    name = "xpu developers";
    email = "dev@xpu.invalid";
  };
}
