# The seed's module name for the GPU compute base: the same as ./xpu.nix.
{
  imports = [ ./xpu.nix ];
}
