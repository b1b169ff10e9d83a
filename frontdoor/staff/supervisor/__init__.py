"""The supervisor view: open work per department and group, its age, what is at risk or
overdue, and who carries how much — for supervisors (their departments) and administrators
(every department)."""
