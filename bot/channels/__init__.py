"""Haven's Rasa input channels."""
