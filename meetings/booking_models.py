"""Consultation availability and bookings (the consultations issue fills this in).

Imported at the bottom of meetings/models.py so Django sees these models as the meetings app's.
"""
