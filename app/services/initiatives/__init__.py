"""Initiatives: filing, the lifecycle, lists, discussion, deadlines, follow-up."""
