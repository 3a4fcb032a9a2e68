"""Where the shared browser-side bundle loader (``script_loader.js``) lives.

An element whose JavaScript does ``import { loadScript } from "script_loader"`` lists :data:`SCRIPT_LOADER` in its
``dependencies``: NiceGUI then maps that import name to a URL that changes with the file (cache busting), and every
element on the page shares the one module, so a bundle is inserted once however many elements ask for it.
An absolute path, so the elements using it can live in any package.
"""

from pathlib import Path

SCRIPT_LOADER = Path(__file__).with_name('script_loader.js')
