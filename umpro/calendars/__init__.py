"""iCal feeds of an agenda, a room or the practice, and the .ics of one appointment."""
