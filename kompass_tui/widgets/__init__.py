"""What the UI features share: the bidi-aware widgets (``visual``), the wizard's frame
(``chrome``) and question fields (``questions``), the login, the dialog, how a screen reaches
its app (``host``), the crash log and right-to-left text (``bidi``).

The sheets of shared components sit beside their modules; an app lists those it shows in its
``CSS_PATH`` (the paths below), so the rules keep the app sheets' priority.
"""

from pathlib import Path

_HERE = Path(__file__).parent

#: The wizard's top and bottom bars (``chrome.py``).
CHROME_CSS = _HERE / "chrome.tcss"
#: The question fields (``questions.py``).
QUESTIONS_CSS = _HERE / "questions.tcss"
#: What the caseworker's screens share (the review and the assisted desk).
CASEWORKER_CSS = _HERE / "caseworker.tcss"
