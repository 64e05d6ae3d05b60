"""The wizard both the kiosk and the assisted desk build on: one registration at a time, section
by section, in the person's language (``app.WizardApp``, its screens, ``registration``)."""
