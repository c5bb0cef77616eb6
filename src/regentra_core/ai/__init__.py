"""The AI helper: an analyzer that suggests and flags, and reply drafts from the KB.

It helps and never takes control. The pure parts (``analysis``, ``rules``,
``prompts``, ``retrieval``, ``extractive``) know nothing of litellm, which only
``model`` imports, lazily, in the thread that calls a model (an import-linter
contract keeps it so). ``assistant`` joins them to the database and the Desk.
"""
