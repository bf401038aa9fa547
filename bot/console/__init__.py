"""The support-lead console: live response edits, intent examples and safe
retraining, conversation review, and export back to the repo's YAML."""
