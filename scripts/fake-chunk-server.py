#!/usr/bin/env python3
"""A local stand-in for Sentry's chunk-upload and artifact-bundle assemble endpoints, for benchmarks.

Serves on 127.0.0.1 only. It answers the way Sentry does: options, chunk POSTs (multipart, `file` or
`file_gzip` parts named by their SHA-1, checked), and assemble (missing chunks first, then the joined
file's checksum and zip checked). It prints one line per assembled bundle on stderr and, on SIGTERM, a
total of chunks and bytes received. Usage: fake-chunk-server.py PORT_FILE (the port is written there).
"""

import gzip
import hashlib
import io
import json
import re
import signal
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK_SIZE = 8 * 1024 * 1024
ORG_PATH = re.compile(r"^/api/0/organizations/([^/]+)/(chunk-upload|artifactbundle/assemble)/$")

blobs = {}
assembled = {}
received = {"chunks": 0, "bytes": 0, "requests": 0}
lock = threading.Lock()


def multipart_parts(body, boundary):
    """Yields (name, filename, data) for each part of a multipart/form-data body."""
    delimiter = b"--" + boundary
    for section in body.split(delimiter)[1:]:
        if section.startswith(b"--"):
            break
        head, _, data = section.partition(b"\r\n\r\n")
        data = data[:-2] if data.endswith(b"\r\n") else data
        disposition = head.decode("latin-1")
        name = re.search(r'name="([^"]*)"', disposition)
        filename = re.search(r'filename="([^"]*)"', disposition)
        yield (name.group(1) if name else ""), (filename.group(1) if filename else ""), data


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, document):
        payload = b"" if document is None else json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self):
        match = ORG_PATH.match(self.path)
        if not match or match.group(2) != "chunk-upload":
            return self.reply(404, {"detail": "The requested resource does not exist"})
        base = f"http://{self.headers['Host']}"
        self.reply(200, {
            "url": f"{base}/api/0/organizations/{match.group(1)}/chunk-upload/",
            "chunkSize": CHUNK_SIZE,
            "chunksPerRequest": 64,
            "maxFileSize": 2 * 1024 * 1024 * 1024,
            "maxRequestSize": 32 * 1024 * 1024,
            "concurrency": 8,
            "hashAlgorithm": "sha1",
            "compression": ["gzip"],
            "accept": ["release_files", "sources", "artifact_bundles", "artifact_bundles_v2"],
        })

    def do_POST(self):
        match = ORG_PATH.match(self.path)
        if not match:
            return self.reply(404, {"detail": "The requested resource does not exist"})
        body = self.body()
        if match.group(2) == "chunk-upload":
            return self.chunks(body)
        return self.assemble(json.loads(body))

    def chunks(self, body):
        boundary = re.search(r"boundary=(.+)$", self.headers.get("Content-Type", ""))
        if not boundary:
            return self.reply(400, {"error": "not multipart"})
        for name, filename, data in multipart_parts(body, boundary.group(1).strip('"').encode()):
            if name == "file_gzip":
                data = gzip.decompress(data)
            if hashlib.sha1(data).hexdigest() != filename:
                return self.reply(400, {"error": "Checksum mismatch"})
            with lock:
                blobs[filename] = data
                received["chunks"] += 1
                received["bytes"] += len(data)
        with lock:
            received["requests"] += 1
        self.reply(200, None)

    def assemble(self, request):
        checksum, chunks = request["checksum"], request["chunks"]
        missing = [c for c in chunks if c not in blobs]
        if missing:
            return self.reply(200, {"state": "not_found", "missingChunks": missing})
        if checksum not in assembled:
            data = b"".join(blobs[c] for c in chunks)
            if hashlib.sha1(data).hexdigest() != checksum:
                assembled[checksum] = ("error", "Reported checksum mismatch")
            else:
                try:
                    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
                        manifest = json.loads(bundle.read("manifest.json"))
                        bundle.testzip()
                    files = len(manifest.get("files", {}))
                    print(f"assembled {checksum}: {len(data)} bytes, {files} files", file=sys.stderr)
                    assembled[checksum] = ("ok", None)
                except Exception as error:  # any unreadable bundle is the server's "invalid" state
                    assembled[checksum] = ("error", f"the bundle is invalid: {error}")
            return self.reply(200, {"state": "created", "missingChunks": []})
        state, detail = assembled[checksum]
        self.reply(200, {"state": state, "missingChunks": [], "detail": detail})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def stop(*_):
        print(f"received {received['chunks']} chunks, {received['bytes']} bytes, "
              f"{received['requests']} chunk requests", file=sys.stderr)
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    with open(sys.argv[1], "w") as port_file:
        port_file.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
