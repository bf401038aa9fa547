"""What the assistant says: domain.yml's responses merged with the console's
live edits, rendered for one customer by a restricted, sandboxed template
engine, and served to Rasa as its NLG endpoint."""
