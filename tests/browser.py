"""Open the Snakemake report in headless Chromium (Debian's), show one of its results
as a reader would, take a screenshot and read back what the page rendered, over the
DevTools protocol. No network: Chromium is told not to use any, and the report must
not need it.

Used by tests/e2e/test_report.py and by tools/docs_figures.py:

    python tests/browser.py results/report.html results/summary.html docs/images/report.png
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from websockets.sync.client import connect

from helpers import stop, stop_group

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",  # no network, but DevTools
    "--remote-debugging-port=0", "--remote-allow-origins=*",
]


def chromium():
    """The Chromium executable, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One tab, driven over the DevTools protocol."""

    def __init__(self, ws):
        self.ws, self.next_id = ws, 0

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:  # events arrive in between; skip them
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.2)
        raise TimeoutError(f"page never had {expression}")

    def frame_texts(self):
        """The text of every frame's document (the report shows HTML results in an
        iframe of another origin: read through the DOM domain, which may)."""
        root = self.send("DOM.getDocument", depth=-1, pierce=True)["root"]
        texts, stack = [], [root]
        while stack:
            node = stack.pop()
            if "contentDocument" in node:
                html = self.send("DOM.getOuterHTML", nodeId=node["contentDocument"]["nodeId"])["outerHTML"]
                texts.append(html)
            stack += node.get("children", []) + ([node["contentDocument"]] if "contentDocument" in node else [])
        return texts

    def screenshot(self, path):
        Path(path).write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))


@contextmanager
def open_page(url, width=1500, height=1000):
    """A headless Chromium showing `url`; stopped (by pid) on the way out."""
    profile = tempfile.mkdtemp(prefix="annex-race-chromium-")
    proc = subprocess.Popen([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                             f"--window-size={width},{height}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            # its singleton socket goes under TMPDIR: into the profile too
                            env={**os.environ, "TMPDIR": profile},
                            start_new_session=True)  # its helpers in one process group
    try:
        port_file = Path(profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"chromium did not start (exit {proc.poll()})")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=30) as ws:
            page = Page(ws)
            page.send("Page.enable")
            page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                      mobile=False)
            page.send("Page.navigate", url=url)
            page.wait_for("document.readyState === 'complete'")
            yield page
    finally:
        stop(proc)
        stop_group(proc.pid)  # helpers that outlive the browser would write into its profile
        shutil.rmtree(profile, ignore_errors=True)


def show_result(report, result, screenshot):
    """Open the Snakemake report `report`, show its result `result` (a path as the
    report names it, e.g. results/summary.html) as its view button does, save a
    screenshot; return the rendered text of the page's frames."""
    with open_page(Path(report).resolve().as_uri()) as page:
        page.wait_for("typeof app !== 'undefined' && typeof results !== 'undefined'")
        page.evaluate(f"""app.setView({{content: "html", contentPath: results[{json.dumps(str(result))}].data_uri,
                                        resultPath: {json.dumps(str(result))}}})""")
        page.wait_for("document.querySelector('iframe') !== null")
        time.sleep(1.5)  # the iframe renders its data: URI
        texts = page.frame_texts()
        page.screenshot(screenshot)
        return texts


if __name__ == "__main__":
    show_result(*sys.argv[1:4])
