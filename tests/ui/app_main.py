"""The app under NiceGUI's User simulation: the real composition, with the README's extension example."""

from backend.settings import Settings
from examples.customer_360 import extensions
from vce.web import run

run(Settings(demo=True), extensions=extensions)
