"""Haven's custom actions. The action server imports every module of this package."""
