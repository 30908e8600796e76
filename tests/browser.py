"""A headless Chromium driven over the Chrome DevTools Protocol, for the tests that open an
exported page in a real browser: open a file, run JavaScript, click, press keys, take a
screenshot. Chromium comes from Debian's package (``.ci/run`` installs it); the protocol goes
over a websocket with ``websocket-client`` (the ``test`` extra), a few calls each.

The browser starts with a new empty profile, no network of its own (no updates, no sync, no
QUIC) and a fixed window size, and is ended (by its process id) when the ``with`` block ends.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-port=0"]


class BrowserError(RuntimeError):
    pass


class Browser:
    """``with Browser(width, height) as b: b.open(path); b.eval("1 + 1")``."""

    def __init__(self, width: int = 1280, height: int = 900) -> None:
        self.size = (width, height)
        self._ids = itertools.count(1)

    def __enter__(self) -> "Browser":
        import websocket  # the test extra's websocket-client

        self._profile = tempfile.mkdtemp(prefix="graphstudio-chromium-")
        self._proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self._profile}",
             f"--window-size={self.size[0]},{self.size[1]}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise BrowserError("Chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().splitlines()[0]
        self._ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}{port_file.read_text().splitlines()[1]}", timeout=60,
            suppress_origin=True)
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=self.size[0], height=self.size[1],
                  deviceScaleFactor=1, mobile=False)
        self.console: list[str] = []
        return self

    def __exit__(self, *exc) -> None:
        ws = getattr(self, "_ws", None)
        if ws is not None:
            ws.close()
        if self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)  # its own session: the browser's children
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        shutil.rmtree(self._profile, ignore_errors=True)

    # ---- the protocol ----------------------------------------------------------------------

    def call(self, method: str, **params: Any) -> dict:
        """Send one command (to the page once attached) and wait for its answer; events that
        come meanwhile are kept where a test looks at them (console messages, exceptions)."""
        message: dict[str, Any] = {"id": next(self._ids), "method": method, "params": params}
        if getattr(self, "_session", None) and not method.startswith("Target."):
            message["sessionId"] = self._session
        self._ws.send(json.dumps(message))
        while True:
            answer = json.loads(self._ws.recv())
            if answer.get("id") == message["id"]:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})
            self._event(answer)

    def _event(self, event: dict) -> None:
        if event.get("method") == "Runtime.exceptionThrown":
            details = event["params"]["exceptionDetails"]
            self.console.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
        elif event.get("method") == "Runtime.consoleAPICalled":
            args = event["params"].get("args", [])
            self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in args))

    # ---- what a test does ---------------------------------------------------------------------

    def open(self, path: Path) -> None:
        self.call("Page.navigate", url=Path(path).resolve().as_uri())
        self.wait_for("document.readyState === 'complete'")

    def eval(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, condition: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.eval(f"Boolean({condition})"):
            if time.monotonic() > deadline:
                raise BrowserError(f"waited {timeout} s for {condition}")
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element (pressed and released)."""
        box = self.eval(f"(function () {{ var r = document.querySelector({json.dumps(selector)})"
                        ".getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left",
                      clickCount=1)

    KEYS = {"ArrowRight": 39, "ArrowLeft": 37, "Home": 36, "End": 35, "Escape": 27}

    def press(self, key: str) -> None:
        """A key pressed and released, as the keyboard sends it to the focused page."""
        code = self.KEYS[key]
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=key,
                      windowsVirtualKeyCode=code, nativeVirtualKeyCode=code)

    def colour_scheme(self, scheme: str, media: str = "") -> None:
        self.call("Emulation.setEmulatedMedia", media=media,
                  features=[{"name": "prefers-color-scheme", "value": scheme}])

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        Path(path).write_bytes(base64.b64decode(data["data"]))
        return Path(path)
