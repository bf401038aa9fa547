"""The customer chat page and the small web server that serves it.

The page talks to the dialogue engine's socket.io channel directly; this
server hands out the page, its configuration and demo sign-in tokens.
"""
