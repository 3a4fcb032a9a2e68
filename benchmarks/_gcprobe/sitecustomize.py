"""Benchmark-only probe, loaded into the server with ``PYTHONPATH`` when a benchmark runs with ``--gc-log``.

* ``VCE_BENCH_GC_LOG=FILE``: append one line per garbage collection that took at least 5 ms:
  ``<unix time at the end> <generation> <ms> <collected> <uncollectable> <tracked objects>``; the object count
  (after gen-2 collections only, else -1) is taken only with ``VCE_BENCH_GC_COUNT=1`` as it lengthens the pause.
* ``VCE_BENCH_GC_THRESHOLD=a,b,c``: ``gc.set_threshold(a, b, c)`` at start-up (an experiment, not a product setting).
* ``VCE_BENCH_GC_FREEZE_AFTER=SECONDS``: ``gc.freeze()`` once, that long after start-up (an experiment).

The product code is not touched.
"""

import gc
import os
import threading
import time

_path = os.environ.get('VCE_BENCH_GC_LOG')
if _path:
    _log = open(_path, 'a', buffering=1)
    _started = [0.0]
    _count = os.environ.get('VCE_BENCH_GC_COUNT') == '1'

    def _probe(phase: str, info: dict) -> None:
        if phase == 'start':
            _started[0] = time.perf_counter()
            return
        elapsed = (time.perf_counter() - _started[0]) * 1000
        if elapsed >= 5:
            # counting the tracked objects lengthens the pause it reports, so only on request
            tracked = len(gc.get_objects()) if info['generation'] == 2 and _count else -1
            _log.write(f"{time.time():.3f} {info['generation']} {elapsed:.1f} {info['collected']} "
                       f"{info['uncollectable']} {tracked}\n")

    gc.callbacks.append(_probe)

if os.environ.get('VCE_BENCH_GC_THRESHOLD'):
    gc.set_threshold(*(int(v) for v in os.environ['VCE_BENCH_GC_THRESHOLD'].split(',')))

if os.environ.get('VCE_BENCH_GC_FREEZE_AFTER'):
    _timer = threading.Timer(float(os.environ['VCE_BENCH_GC_FREEZE_AFTER']), gc.freeze)
    _timer.daemon = True
    _timer.start()
