"""The kiosk's voice: what it says aloud, in the person's language, for those who read little.

- :mod:`kompass_tui.voice.voices`: how each locale speaks: by a recorded clip of the very
  message, by an espeak-ng voice, or not at all.
- :mod:`kompass_tui.voice.player`: the program that plays sound on this machine (``pw-play``,
  ``paplay`` or ``aplay``), found once at start, and :class:`~kompass_tui.voice.player.Speaker`,
  which says one thing at a time without ever blocking the screen.

Nothing here imports Textual: the apps and ``kompass audio`` use it alike.
"""
