"""`./slicefine serve` on a free port and a temporary data dir, for the client's tests and the scripts that drive a
real server (scripts/fortunes8_api.py)."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


class LocalServer:
    """Started by start(); url is where it answers, data its temporary folder (server.log is there)."""

    def __init__(self, proc, log, url, data):
        self.proc, self.log, self.url, self.data = proc, log, url, data

    @classmethod
    def start(cls, admin_key, prefix="slicefine-", timeout=600):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        data = tempfile.mkdtemp(prefix=prefix)
        log = open(os.path.join(data, "server.log"), "wb")
        proc = subprocess.Popen([os.path.join(ROOT, "slicefine"), "serve", "--port", str(port), "--data", os.path.join(data, "d")],
                                cwd=ROOT, env=dict(os.environ, SLICEFINE_ADMIN_KEY=admin_key), stdout=log,
                                stderr=subprocess.STDOUT)
        url = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("the server exited: see " + log.name)
            try:
                with urllib.request.urlopen(url + "/actuator/health", timeout=2) as r:
                    if r.status == 200:
                        return cls(proc, log, url, data)
            except OSError:
                pass
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the server did not start within %d s: see %s" % (timeout, log.name))
            time.sleep(1)

    def stop(self):
        """Terminates the server (kills it after 60 s) and removes its data dir."""
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)
