"""A cooperation protocol's content, apart from its storage and its services:

- ``definition``: its structured definition (criteria, result fields, red flags), read
  from the JSON stored on ``Protocol``, and the validation of a task's results against it;
- ``text_format``: the admin's text format of that definition (one item a line), parsed
  and written back;
- ``reference_set``: the reference protocols a practice installs in one click, written in
  that text format.
"""
