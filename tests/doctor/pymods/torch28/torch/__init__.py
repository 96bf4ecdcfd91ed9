"""STAND-IN torch for tests (not PyTorch): see ../../README."""
import os
import types

__version__ = "2.8.0+xpu" if os.environ.get("FAKE_TORCH_XPU") else "2.8.0+cu128"
version = types.SimpleNamespace(cuda=None if os.environ.get("FAKE_TORCH_XPU") else "12.8")
_cuda = bool(os.environ.get("FAKE_TORCH_CUDA"))
_xpu = bool(os.environ.get("FAKE_TORCH_XPU"))
cuda = types.SimpleNamespace(is_available=lambda: _cuda, device_count=lambda: 1 if _cuda else 0,
                             get_device_name=lambda i: "NVIDIA H200")
xpu = types.SimpleNamespace(_is_compiled=lambda: _xpu, is_available=lambda: _xpu,
                            device_count=lambda: 1 if _xpu else 0,
                            get_device_name=lambda i: "Intel(R) Arc(TM) B580 Graphics")
