"""``lod serve``: the linked-data web service over an export folder (see ``app.py``)."""
