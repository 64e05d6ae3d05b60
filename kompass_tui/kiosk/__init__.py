"""The self-registration kiosk: the wizard behind the caseworker PIN, reset after an idle time
(``app.KioskApp``, ``screens.guard``, ``settings``)."""
