"""The assisted desk: the wizard with a caseworker, an interpreter and the caseworker's language
beside the person's (``app.AssistApp``, its start screen and dialogs)."""
