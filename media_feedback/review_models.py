"""Review and publishing: redactions, tags, quotes, summary documents (filled in by the summary issue).

Imported at the bottom of media_feedback/models.py so Django sees these models as the app's.
"""
