from tests.live_stack import live_stack  # noqa: F401  (the session fixture)
