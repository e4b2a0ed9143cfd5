"""Kernels forked from one process that has already imported the heavy modules.

Every analysis notebook starts by importing pandas, matplotlib, seaborn, scipy, statsmodels and the
package: 3-6 s of CPU per kernel, paid again by each of ~30 reports.  Here one *zygote* process
imports them once; each kernel is a ``fork()`` of it, so a report's kernel starts with them loaded
(copy-on-write: memory is shared too).  Each kernel is still its own process, with its own state.

How jupyter_client sees it: a kernelspec whose command is this module's ``launch`` (a tiny process
that asks the zygote for a kernel and stays as its stand-in: it forwards signals, and when it is
killed the kernel notices within a fraction of a second and exits).  The zygote exits when the
batch run that started it goes away.

    python -m analysis.batch.forkserver serve SOCKET PARENT_PID MODULE...
    python -m analysis.batch.forkserver launch -f CONNECTION_FILE      (argv of the kernelspec)
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time

ENV_SOCKET = "ANALYSIS_FORKSERVER"
KERNEL_NAME = "analysis-forked"
# Imported once in the zygote.  Never anything that starts a thread or opens a zmq context.
DEFAULT_MODULES = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "scipy.stats",
    "statsmodels.api",
    "matplotlib.pyplot",
    "seaborn",
    "IPython",
    "ipykernel.kernelapp",
    # The package's layers the notebooks import (``.*``: every module of the package). Without them each
    # kernel compiled and ran them itself: about a third of a small report's time.
    "analysis.core.*",
    "analysis.i18n.*",
    "analysis.data.*",
    "analysis.stats.*",
    "analysis.plotting.*",
    "analysis.present.*",
    "analysis.subjects.*",
    "analysis.summary.*",
)


def _preload(name: str) -> None:
    """Import module ``name``, or with ``package.*`` every module of the package."""
    import importlib
    import pkgutil

    if not name.endswith(".*"):
        importlib.import_module(name)
        return
    package = importlib.import_module(name[:-2])
    for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        importlib.import_module(info.name)


def _watch(pid: int, interval: float = 0.2) -> None:
    """Exit this process as soon as process ``pid`` is gone (the stand-in was killed)."""

    def loop():
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass
            time.sleep(interval)

    threading.Thread(target=loop, name="stand-in-watch", daemon=True).start()


def _child(request: dict) -> None:
    """In the forked kernel: become an ipykernel for the given connection file."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0:1] = [request["cwd"]] if sys.path else [request["cwd"]]
    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _watch(int(request["watch_pid"]))
    from ipykernel import kernelapp

    kernelapp.IPKernelApp.launch_instance(argv=["-f", request["connection_file"]])
    os._exit(0)


def serve(path: str, parent_pid: int, modules: list[str]) -> None:
    """The zygote: import ``modules``, then fork a kernel for each request on the Unix socket ``path``."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in modules:
        try:
            _preload(name)
        except Exception as exc:  # a module that fails here fails again, visibly, in the notebook
            print(f"forkserver: could not preload {name}: {exc}", file=sys.stderr)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    children: set[int] = set()

    def stop(_signum=None, _frame=None):
        # Ending the zygote ends every kernel forked from it that is still running.
        for pid in children:
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) != os.getpid():
                        continue  # not ours any more (exited, pid reused)
                os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    server.bind(path)
    server.listen(16)
    server.settimeout(0.5)
    print("ready", flush=True)
    # Nobody reads our stdout after this line: kernels must not block on a full pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    while True:
        if os.getppid() != parent_pid:  # the batch run is gone: so is the zygote
            stop()
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        with conn:
            conn.settimeout(10)
            data = _read_line(conn)
            try:
                request = json.loads(data)
            except ValueError:
                continue
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                try:
                    _child(request)
                finally:
                    os._exit(1)
            children.add(pid)
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    server.close()
    try:
        os.unlink(path)
    except OSError:
        pass


def _read_line(conn: socket.socket) -> bytes:
    """One newline-terminated message (the fork server's requests and replies are JSON lines)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def launch(connection_file: str) -> int:
    """The kernelspec's command: get a forked kernel, stand in for it until it exits."""
    path = os.environ[ENV_SOCKET]
    request = {
        "connection_file": os.path.abspath(connection_file),
        "cwd": os.getcwd(),
        "env": {k: v for k, v in os.environ.items() if k != ENV_SOCKET},
        "watch_pid": os.getpid(),
    }
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(path)
        conn.sendall(json.dumps(request).encode() + b"\n")
        data = _read_line(conn)
    pid = int(json.loads(data)["pid"])

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
        if signum == signal.SIGTERM:
            sys.exit(0)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, forward)
    # The kernel is the zygote's child, not ours: poll until it is gone.
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return 0
        time.sleep(0.2)


def write_kernelspec(folder, socket_path: str) -> None:
    """A kernelspec ``analysis-forked`` in ``folder``/analysis-forked whose command is :func:`launch`."""
    from pathlib import Path

    spec = Path(folder) / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "analysis.batch.forkserver", "launch", "-f", "{connection_file}"],
                "display_name": "Python 3 (forked, batch runs only)",
                "language": "python",
                "env": {ENV_SOCKET: socket_path},
                "interrupt_mode": "signal",
            }
        ),
        encoding="utf-8",
    )


class ForkServer:
    """The zygote process of one batch run (started at once; ``ready()`` waits for its imports)."""

    def __init__(self, folder, modules=DEFAULT_MODULES):
        import subprocess
        from pathlib import Path

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket_path = str(self.folder / "zygote.sock")
        write_kernelspec(self.folder / "kernels", self.socket_path)
        env = {
            **os.environ,
            "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
            "MKL_NUM_THREADS": os.environ.get("MKL_NUM_THREADS", "1"),
        }
        # ASSUMPTION(single-thread-blas): forked kernels run BLAS single-threaded (one kernel per core; threads do not survive fork).
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "analysis.batch.forkserver", "serve", self.socket_path, str(os.getpid()), *modules],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        self._ready: bool | None = None
        self._lock = threading.Lock()

    def ready(self, timeout: float = 120) -> bool:
        with self._lock:
            if self._ready is None:
                line = ""
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline and self.proc.poll() is None:
                    line = self.proc.stdout.readline().strip()
                    if line:
                        break
                self._ready = line == "ready"
            return self._ready

    def kernel_spec_manager(self):
        from jupyter_client.kernelspec import KernelSpecManager

        return KernelSpecManager(kernel_dirs=[str(self.folder / "kernels")], ensure_native_kernel=False)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except Exception:
                self.proc.kill()


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        serve(argv[1], int(argv[2]), argv[3:])
        return 0
    if argv[:1] == ["launch"] and "-f" in argv:
        return launch(argv[argv.index("-f") + 1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
