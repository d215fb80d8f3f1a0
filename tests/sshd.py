"""An sshd on the loopback address for tests of `transport: ssh`: a throwaway host key
and client key, its own config and port; stopped by pid, even if the test fails."""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from helpers import stop

SSHD = Path("/usr/sbin/sshd")


def why_no_sshd():
    """Why an sshd cannot be started here, or None."""
    if os.geteuid() != 0:
        return "not root: the test sshd logs root in with a throwaway key"
    if not SSHD.exists() or not shutil.which("ssh-keygen"):
        return "openssh-server is not installed (tools/test.sh installs it as root)"
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sshd(directory):
    """Yield (host, ssh command) for the `ssh` config keys: `localhost:<port>`, and
    an ssh program that logs in with the throwaway key and trusts the throwaway host."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(directory / name)],
                       check=True)
    (directory / "authorized_keys").write_text((directory / "client_key.pub").read_text())
    port = _free_port()
    (directory / "sshd_config").write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {directory / 'host_key'}",
        f"AuthorizedKeysFile {directory / 'authorized_keys'}", f"PidFile {directory / 'sshd.pid'}",
        "PermitRootLogin prohibit-password", "PasswordAuthentication no", "UsePAM no",
        "StrictModes no", "", ]))
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    daemon = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(directory / "sshd_config")],
                              stdout=open(directory / "sshd.log", "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if daemon.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"sshd did not start: {(directory / 'sshd.log').read_text()}")
                time.sleep(0.1)
        wrapper = directory / "ssh"
        wrapper.write_text(
            f"#!/bin/sh\nexec {shutil.which('ssh')} -i {directory / 'client_key'} -o BatchMode=yes "
            "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \"$@\"\n")
        wrapper.chmod(0o755)
        yield f"localhost:{port}", str(wrapper)
    finally:
        stop(daemon)
