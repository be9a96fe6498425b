"""Haven's web app (aiohttp): the landing page with the chat widget, the embeddable widget script, the
privacy notice; later the hotline console."""
