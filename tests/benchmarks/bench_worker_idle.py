"""How much CPU an idle worker uses: `manage.py run_worker` on production settings with an
empty queue, its own CPU time (user + system, from /proc) over a window.

    make bench-worker-idle                    # SQLite in a temporary folder, 120 s
    DATABASE_URL=postgres://… make bench-worker-idle ARGS="--seconds 120"

Target (docs/benchmarks/worker.md): under 1 % of one core over 120 s.
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds after start-up before the window opens")
    args = parser.parse_args()
    from cryptography.fernet import Fernet

    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.production",
               "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
               "FEDERATION_KEY_SECRET": Fernet.generate_key().decode(),
               "DJANGO_ALLOWED_HOSTS": "localhost"}
        env.setdefault("DATABASE_URL", f"sqlite:///{folder}/db.sqlite3")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True, stderr=subprocess.DEVNULL)
        worker = subprocess.Popen([sys.executable, "manage.py", "run_worker"], cwd=ROOT,
                                  env=env)
        try:
            time.sleep(args.settle)
            before, started = cpu_seconds(worker.pid), time.monotonic()
            time.sleep(args.seconds)
            used, elapsed = cpu_seconds(worker.pid) - before, time.monotonic() - started
        finally:
            worker.terminate()
            worker.wait(10)
    share = 100 * used / elapsed
    print(f"idle worker ({env['DATABASE_URL'].split(':')[0]}): {used:.2f} s of CPU over "
          f"{elapsed:.0f} s = {share:.2f} % of one core (target < 1 %)")
    return 0 if share < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
