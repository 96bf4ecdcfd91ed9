#!/usr/bin/env python3
"""A LOCAL STAND-IN for LLM servers, for tests and perf scripts only.

It is not llama-server, vLLM or Ollama.  The real llama-server is what the
success path is checked against (tests/llm/llm.sh); this serves what no real
server here can show:
  error paths of the OpenAI API:  refuse-stream (HTTP 500), garbage (data
    lines that are no JSON), cut (closes mid-stream), hang (accepts, never
    answers), not-llm (404 everywhere);
  Ollama's native API (no Ollama server runs here): ollama, the documented
    NDJSON stream (docs.ollama.com/api: "response" chunks, then "done": true
    with eval_count, eval_duration, prompt_eval_count, prompt_eval_duration,
    load_duration in ns), ollama-load (the first request loads the model);
  fast: an OpenAI stream sent as fast as the socket takes it (each event one
    token), to show the client is never the limit (perf/llm-client.sh).

Usage: standin_llm.py MODE PORT_FILE   (binds 127.0.0.1 on a free port,
writes the port to PORT_FILE, serves until killed)."""
import http.server
import json
import socketserver
import sys
import time

MODE = sys.argv[1]
MODELS = {"object": "list", "data": [{"id": "standin-model", "object": "model"}]}


def sse(obj):
    return ("data: " + json.dumps(obj) + "\n\n").encode()


def chunk(text):
    return sse({"choices": [{"text": text, "index": 0, "finish_reason": None}], "object": "text_completion"})


def final(n, prompt):
    return sse({"choices": [{"text": "", "index": 0, "finish_reason": "length"}],
                "usage": {"completion_tokens": n, "prompt_tokens": prompt, "total_tokens": n + prompt}})


FAST = {}


def fast_stream(n, prompt):
    """The whole answer of n tokens, made once: the server only copies it."""
    if (n, prompt) not in FAST:
        FAST[(n, prompt)] = b"".join(chunk(" tok") for _ in range(n)) + final(n, prompt) + b"data: [DONE]\n\n"
    return FAST[(n, prompt)]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if MODE == "hang":
            time.sleep(3600)
        if MODE == "not-llm":
            return self.send(404, b"<html>not found</html>", "text/html")
        if MODE.startswith("ollama") and self.path == "/api/version":
            return self.send(200, {"version": "0.12.11"})
        if MODE.startswith("ollama") and self.path in ("/api/ps", "/api/tags"):
            return self.send(200, {"models": [{"name": "standin:1b", "model": "standin:1b"}]})
        if self.path == "/v1/models" and not MODE.startswith("ollama"):
            return self.send(200, MODELS)
        self.send(404, {"error": "not found"})

    def body(self):
        n = int(self.headers.get("Content-Length", 0))
        return json.loads(self.rfile.read(n) or b"{}")

    def stream_start(self, ctype="text/event-stream"):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Connection", "close")
        self.end_headers()

    def do_POST(self):
        req = self.body()
        if MODE == "hang":
            time.sleep(3600)
        if self.path == "/api/generate" and MODE.startswith("ollama"):
            return self.ollama(req)
        if self.path != "/v1/completions":
            return self.send(404, {"error": "not found"})
        n = int(req.get("max_tokens", 16))
        prompt = len(req.get("prompt", "").split()) + 1
        if MODE == "refuse-stream":
            return self.send(500, {"error": {"code": 500, "message": "standin: out of memory"}})
        self.stream_start()
        if MODE == "garbage":
            self.wfile.write(chunk(" a") + b"data: {this is not json\n\n")
        elif MODE == "cut":
            self.wfile.write(chunk(" a") + chunk(" b"))
        elif MODE == "fast":
            self.wfile.write(fast_stream(n, prompt))
        else:
            for _ in range(n):
                self.wfile.write(chunk(" tok"))
                self.wfile.flush()
                time.sleep(0.002)
            self.wfile.write(final(n, prompt) + b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    def ollama(self, req):
        n = int(req.get("options", {}).get("num_predict", 16))
        prompt = len(req.get("prompt", "").split()) + 1
        load_ns = 0
        if MODE == "ollama-load" and not getattr(self.server, "loaded", False):
            self.server.loaded = True
            time.sleep(0.3)
            load_ns = 300_000_000
        self.stream_start("application/x-ndjson")
        t0 = time.monotonic_ns()
        for _ in range(n):
            self.wfile.write((json.dumps({"model": "standin:1b", "response": " tok", "done": False}) + "\n").encode())
            self.wfile.flush()
            time.sleep(0.002)
        eval_ns = time.monotonic_ns() - t0
        done = {"model": "standin:1b", "response": "", "done": True, "done_reason": "length",
                "total_duration": eval_ns + load_ns + 1_000_000, "load_duration": load_ns or 2_000_000,
                "prompt_eval_count": prompt, "prompt_eval_duration": 1_000_000,
                "eval_count": n, "eval_duration": eval_ns}
        self.wfile.write((json.dumps(done) + "\n").encode())
        self.wfile.flush()
        self.close_connection = True


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    srv.serve_forever()


if __name__ == "__main__":
    main()
