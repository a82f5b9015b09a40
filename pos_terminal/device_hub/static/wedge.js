// Keyboard-wedge scanners type a barcode as fast keystrokes ended by Enter. People type
// slower than ~35 ms per key, so a fast burst of at least MIN_LENGTH keys is a scan: it is
// posted to the device hub, which puts it on the same event stream as serial scans.
(function (root) {
  "use strict";
  const MAX_GAP_MS = 35;
  const MIN_LENGTH = 4;
  // A burst that pauses for less than this and then goes on is a stalled scan, not two:
  // its tail must not pass for a whole (shorter) barcode. The cashier scans again.
  const STALL_MS = 500;

  class WedgeScanDetector {
    constructor(onScan, maxGapMs = MAX_GAP_MS, minLength = MIN_LENGTH) {
      this.onScan = onScan;
      this.maxGapMs = maxGapMs;
      this.minLength = minLength;
      this.reset();
    }

    reset() {
      this.buffer = "";
      this.last = 0;
      this.stalled = false;
    }

    // Returns true when the key ended a scan (the page should not act on that Enter).
    key(key, now) {
      if (this.last && now - this.last > this.maxGapMs) {
        const stalled = this.buffer.length >= 2 && now - this.last < STALL_MS;
        this.reset();
        this.stalled = stalled;
      }
      if (key === "Enter") {
        const isScan = this.buffer.length >= this.minLength && !this.stalled;
        if (isScan) this.onScan(this.buffer);
        this.reset();
        return isScan;
      }
      if (key.length === 1) {
        this.buffer += key;
        this.last = now;
      }
      return false;
    }
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { WedgeScanDetector, MAX_GAP_MS, MIN_LENGTH };
    return;
  }
  const detector = new WedgeScanDetector((data) => {
    fetch("/devices/wedge-scans", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ data }),
    });
  });
  root.document.addEventListener("keydown", (event) => {
    if (detector.key(event.key, root.performance.now())) event.preventDefault();
  }, true);
})(typeof window !== "undefined" ? window : globalThis);
