"""Concierge's customer profile store.

Customers, their orders, tickets and interactions, and the product catalog, in
one SQL database reached through `ProfileStore`; `policy` holds the shop's
return rules and `identity` the signed customer tokens. Importing the package
opens no database and reads no file.
"""
