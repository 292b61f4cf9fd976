"""Hears ``promotion_approved`` the way another plugin would: an optional hook implementation."""
from core.api import Plugin, hookimpl

APPROVED: list[tuple[int, str]] = []


class ListenerPlugin(Plugin):
    title = "Listener"
    description = "Hears promotions' events in tests."

    @hookimpl(optionalhook=True)
    def promotion_approved(self, app, promotion):
        APPROVED.append((promotion.id, promotion.state))
