#!/usr/bin/env python3
"""Time from `mockbank serve` to its ready line: on a fresh data dir (first start, keys
created) and on a restart (keys loaded). A benchmark, not a test: run it on an idle machine,
`python3 benches/startup.py [path/to/mockbank] [runs]`, and compare medians measured in the
same run. It also times the first mint after a fresh start, which waits for the directory's
RSA key when that is still being generated in the background."""
import json
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import http.client

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/mockbank"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15


def start(data_dir):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ready = json.loads(p.stdout.readline())
    return p, ready, (time.perf_counter() - t0) * 1000


def first_mint(ready, t_start):
    host, port = ready["base_url"][len("https://"):].rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=ready["ca_cert"])
    token = open(ready["admin_token_file"]).read().strip()
    c = http.client.HTTPSConnection(host, int(port), context=ctx)
    c.request("POST", "/directory/software", body=json.dumps({"software_name": "bench"}),
              headers={"authorization": "Bearer " + token, "content-type": "application/json"})
    status = c.getresponse().status
    assert status == 201, status
    return (time.perf_counter() - t_start) * 1000


fresh, restart, mint = [], [], []
for _ in range(runs):
    d = tempfile.mkdtemp(prefix="mockbank-start-")
    t0 = time.perf_counter()
    p, ready, ms = start(d)
    fresh.append(ms)
    mint.append(first_mint(ready, t0))
    p.terminate(); p.wait()
    p, _, ms = start(d)
    restart.append(ms)
    p.terminate(); p.wait()
    shutil.rmtree(d, ignore_errors=True)

med = statistics.median
print(f"ready line, fresh data dir: median {med(fresh):.0f} ms (min {min(fresh):.0f}, max {max(fresh):.0f})")
print(f"ready line, restart:        median {med(restart):.0f} ms (min {min(restart):.0f}, max {max(restart):.0f})")
print(f"fresh start to first mint answered: median {med(mint):.0f} ms")
