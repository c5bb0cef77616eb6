"""Regentra core: the helpdesk's domain rules, its one write path and its store."""
