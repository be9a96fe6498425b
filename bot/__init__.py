"""Haven's Rasa extensions: NLU components, channels and (later) the NLG."""
