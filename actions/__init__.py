"""Custom actions of the Concierge action server, one module per capability.

The action server (`python -m rasa_sdk --actions actions`) imports every
module of this package. Importing opens no database and reads no settings:
those are made on the first action run (see `actions.services`).
"""
