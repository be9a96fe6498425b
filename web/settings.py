"""The web app's settings key (a typed aiohttp AppKey shared by the chat pages and the console)."""
from typing import Dict

from aiohttp import web

SETTINGS = web.AppKey("settings", Dict[str, str])
