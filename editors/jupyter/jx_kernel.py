"""A Jupyter kernel for jx: a thin wrapper around `jx --kernel`.

The jx interpreter runs as a subprocess and keeps its bindings between
cells.  Each cell is sent as

    \\x1eCELL <n>\\n<n bytes of code>

and jx answers with the cell's printed output, then optional framed
sections \\x1eRESULT <n>\\n..., \\x1eERROR <n>\\n..., and \\x1eEND\\n (see
repl/kernel.c).  Printed output is forwarded to the notebook as it arrives,
so training loops show their progress live.  Interrupting the kernel sends
SIGINT to jx, which stops the running cell with an Interrupted error and
keeps every binding.

The jx executable is $JX_BIN if set, else the `jx` on PATH.
Install with editors/jupyter/install.py.
"""
import codecs
import os
import re
import shutil
import signal
import subprocess
import sys
import threading

from ipykernel.kernelbase import Kernel

__version__ = "0.1.0"

ERR_RE = re.compile(r"^(?P<loc>[^\n]*?:\d+:\d+): (?P<kind>\w+): (?P<msg>.*)$", re.M)


def find_jx():
    exe = os.environ.get("JX_BIN")
    if exe:
        return exe
    here = os.path.dirname(os.path.abspath(__file__))
    cfg = os.path.join(here, "jx_bin.txt")  # written by install.py
    if os.path.exists(cfg):
        with open(cfg) as f:
            p = f.read().strip()
        if p:
            return p
    return shutil.which("jx") or "jx"


class JxKernel(Kernel):
    implementation = "jx"
    implementation_version = __version__
    language = "jx"
    language_version = "0.1"
    language_info = {
        "name": "jx",
        "mimetype": "text/x-jx",
        "file_extension": ".jx",
        "pygments_lexer": "python",
        "codemirror_mode": "python",
    }
    banner = "jx — a small functional language with JAX-style transformations"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._names = None
        self._start()

    # ---- the subprocess -------------------------------------------------
    def _start(self):
        self.jx = subprocess.Popen(
            [find_jx(), "--kernel"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, bufsize=0)
        self._stderr_buf = []
        t = threading.Thread(target=self._drain_stderr, daemon=True)
        t.start()

    def _drain_stderr(self):
        for line in iter(self.jx.stderr.readline, b""):
            self._stderr_buf.append(line.decode("utf-8", "replace"))

    def _read_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = os.read(self.jx.stdout.fileno(), n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _run(self, code, on_text):
        """Send a cell; forward printed text; return (result, error)."""
        body = code.encode("utf-8")
        # While the cell runs, Ctrl-C / Interrupt goes to jx (which stops the
        # cell and keeps its bindings) instead of raising KeyboardInterrupt
        # at a random place in this process.
        def forward(signum, frame):
            try:
                self.jx.send_signal(signal.SIGINT)
            except OSError:
                pass
        try:
            old = signal.signal(signal.SIGINT, forward)
        except ValueError:  # not the main thread
            old = None
        try:
            self.jx.stdin.write(b"\x1eCELL %d\n" % len(body) + body)
            self.jx.stdin.flush()
            return self._collect(on_text)
        finally:
            if old is not None:
                signal.signal(signal.SIGINT, old)

    def _collect(self, on_text):
        result = error = None
        pending = b""
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        while True:
            try:
                chunk = os.read(self.jx.stdout.fileno(), 65536)
            except KeyboardInterrupt:
                self.jx.send_signal(signal.SIGINT)
                continue
            except InterruptedError:
                continue
            if not chunk:
                raise EOFError
            pending += chunk
            while pending:
                i = pending.find(b"\x1e")
                if i != 0:
                    text = decoder.decode(pending if i < 0 else pending[:i])
                    if text:
                        on_text(text)
                    pending = b"" if i < 0 else pending[i:]
                    continue
                nl = pending.find(b"\n")
                if nl < 0:
                    break  # the frame header is not complete yet
                head = pending[1:nl].decode("ascii", "replace").split()
                if head[:1] == ["END"]:
                    return result, error
                n = int(head[1]) if len(head) > 1 else 0
                rest = pending[nl + 1:]
                if len(rest) < n:
                    rest += self._read_exact(n - len(rest))
                text = rest[:n].decode("utf-8", "replace")
                pending = rest[n:]
                if head[0] == "RESULT":
                    result = text
                elif head[0] == "ERROR":
                    error = text

    # ---- messages ---------------------------------------------------------
    def do_execute(self, code, silent, store_history=True, user_expressions=None,
                   allow_stdin=False):
        if not code.strip():
            return {"status": "ok", "execution_count": self.execution_count,
                    "payload": [], "user_expressions": {}}

        def on_text(text):
            if not silent:
                self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": text})

        try:
            result, error = self._run(code, on_text)
        except (EOFError, BrokenPipeError, OSError):
            err = "".join(self._stderr_buf[-20:])
            self._start()
            msg = "the jx process stopped; it was restarted and the bindings are lost"
            if not silent:
                self.send_response(self.iopub_socket, "stream",
                                   {"name": "stderr", "text": msg + "\n" + err})
            return {"status": "error", "execution_count": self.execution_count,
                    "ename": "KernelDied", "evalue": msg, "traceback": [msg]}
        if error is not None:
            m = ERR_RE.search(error)
            ename = m.group("kind") if m else "Error"
            evalue = m.group("msg") if m else error.strip()
            if not silent:
                self.send_response(self.iopub_socket, "error", {
                    "ename": ename, "evalue": evalue,
                    "traceback": error.rstrip("\n").split("\n")})
            return {"status": "error", "execution_count": self.execution_count,
                    "ename": ename, "evalue": evalue,
                    "traceback": error.rstrip("\n").split("\n")}
        if result is not None and not silent:
            self.send_response(self.iopub_socket, "execute_result", {
                "execution_count": self.execution_count,
                "data": {"text/plain": result}, "metadata": {}})
        return {"status": "ok", "execution_count": self.execution_count,
                "payload": [], "user_expressions": {}}

    def _builtin_names(self):
        if self._names is None:
            out = []
            try:
                self._run(":help", out.append)
            except Exception:
                return []
            text = "".join(out)
            self._names = sorted(set(re.findall(r"[A-Za-z_][\w.]*", text.split("Builtins:", 1)[-1])))
        return self._names

    def do_complete(self, code, cursor_pos):
        m = re.search(r"[A-Za-z_][\w.]*$", code[:cursor_pos])
        if not m:
            return {"status": "ok", "matches": [], "cursor_start": cursor_pos,
                    "cursor_end": cursor_pos, "metadata": {}}
        word = m.group(0)
        defined = re.findall(r"(?:let|def)\s+([A-Za-z_]\w*)", code)
        names = sorted(set(self._builtin_names()) | set(defined))
        return {"status": "ok", "matches": [n for n in names if n.startswith(word)],
                "cursor_start": m.start(), "cursor_end": cursor_pos, "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        m = re.search(r"[A-Za-z_][\w.]*$", code[:cursor_pos])
        if not m:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        out = []
        self._run(":help " + m.group(0), out.append)
        text = "".join(out)
        found = not text.startswith("no help")
        return {"status": "ok", "found": found, "data": {"text/plain": text} if found else {},
                "metadata": {}}

    def do_shutdown(self, restart):
        try:
            self.jx.stdin.close()
            self.jx.wait(timeout=5)
        except Exception:
            self.jx.kill()
        if restart:
            self._start()
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":
    from ipykernel.kernelapp import IPKernelApp
    IPKernelApp.launch_instance(kernel_class=JxKernel)
