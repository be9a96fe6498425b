"""The hotline: the handoff queue, agent accounts, opening hours and the Rasa API calls the console makes."""
