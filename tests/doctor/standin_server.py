#!/usr/bin/env python3
"""A LOCAL STAND-IN for the Ollama and ComfyUI HTTP APIs, for tests only.

It answers the documented responses (docs.ollama.com/api: /api/version,
/api/tags, /api/ps with size and size_vram; ComfyUI's /system_stats with
devices[].type) in one of several states, and the faults doctor must name:
slow, garbage JSON, HTTP 500.  It is not Ollama or ComfyUI.

Usage: standin_server.py MODE PORT_FILE   (binds 127.0.0.1 on a free port,
writes the port to PORT_FILE, serves until killed)."""
import http.server
import json
import sys
import time

MODE = sys.argv[1]
GIB = 1024 ** 3


def ollama_ps(vram_share):
    size = 3 * GIB
    return {"models": [{"name": "llama3.2:3b", "model": "llama3.2:3b", "size": size,
                        "size_vram": int(size * vram_share), "digest": "a80c4f17acd5",
                        "expires_at": "2026-11-21T12:00:00Z", "context_length": 4096}]}


TAGS = {"models": [{"name": "llama3.2:3b", "model": "llama3.2:3b", "size": 2019393189}]}
ROUTES = {
    "ollama-gpu": {"/api/version": {"version": "0.12.11"}, "/api/tags": TAGS, "/api/ps": ollama_ps(1.0)},
    "ollama-cpu": {"/api/version": {"version": "0.12.11"}, "/api/tags": TAGS, "/api/ps": ollama_ps(0.0)},
    "ollama-partial": {"/api/version": {"version": "0.12.11"}, "/api/tags": TAGS, "/api/ps": ollama_ps(0.6)},
    "ollama-empty": {"/api/version": {"version": "0.12.11"}, "/api/tags": {"models": []},
                     "/api/ps": {"models": []}},
}


def comfy(dev_type, name):
    return {"system": {"os": "posix", "ram_total": 33 * GIB, "ram_free": 20 * GIB,
                       "comfyui_version": "0.3.60", "python_version": "3.12.3",
                       "pytorch_version": "2.8.0+cpu" if dev_type == "cpu" else "2.8.0+cu128"},
            "devices": [{"name": name, "type": dev_type, "index": 0 if dev_type != "cpu" else None,
                         "vram_total": 0, "vram_free": 0, "torch_vram_total": 0, "torch_vram_free": 0}]}


ROUTES["comfyui-cuda"] = {"/system_stats": comfy("cuda", "cuda:0 NVIDIA H200 : cudaMallocAsync")}
ROUTES["comfyui-cpu"] = {"/system_stats": comfy("cpu", "cpu")}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if MODE == "slow":
            time.sleep(30)
            return self.answer(200, '{"version": "0.12.11"}')
        if MODE == "garbage":
            return self.answer(200, '{"version": "0.12.11", "models": [ <html>oops')
        if MODE == "http500":
            return self.answer(500, '{"error": "internal error"}')
        route = ROUTES.get(MODE, {}).get(self.path)
        if route is None:
            return self.answer(404, "404 page not found", "text/plain")
        return self.answer(200, json.dumps(route))


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
