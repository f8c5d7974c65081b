"""Drop stored widget state from executed notebooks (``make notebooks`` runs this).

nbconvert saves every widget's state in the notebook's metadata. For the recording
widget that is the recorded audio itself (hundreds of kB of base64), and for any widget
it is state a static viewer cannot use. nbconvert's own ``store_widget_state=False``
fails with a KeyError in nbclient 0.10, so the state is removed after execution.
"""

import sys

import nbformat

for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    if nb.metadata.pop("widgets", None) is not None:
        nbformat.write(nb, path)
        print(f"{path}: widget state removed")
