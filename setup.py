"""Only what pyproject.toml cannot say: the checkout's top-level data folders travel in the wheel and sdist as
package data of ``vce_resources`` (``vce_resources/assets``, ``vce_resources/contact_flows``), so an installed
package runs from any folder. ``[tool.setuptools.packages.find]`` cannot add packages that live elsewhere, hence
this file; ``vce_resources`` finds the folders in both layouts. Which files go in: pyproject.toml's package-data."""

from setuptools import find_packages, setup

CODE = find_packages(include=['backend*', 'agent_ui*', 'customer_ui*', 'ui_common*', 'vce', 'vce.*', 'vce_resources',
                                'deploy', 'deploy.*'])
DATA_FOLDERS = {'vce_resources.assets': 'assets', 'vce_resources.contact_flows': 'contact_flows'}
DATA_SUBFOLDERS = ['vce_resources.assets.audio', 'vce_resources.assets.vendor']  # (not js-src: the bundles' recipe)

if __name__ == '__main__':  # the build runs this file as __main__; tests read the lists above
    setup(packages=[*CODE, *DATA_FOLDERS, *DATA_SUBFOLDERS], package_dir=DATA_FOLDERS)
