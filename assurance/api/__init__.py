"""The read-only JSON API, ``/api/v1/`` (issue 16): a view layer beside ``views/``.

Like a page, every endpoint asks ``access/`` who may see what and reads through
``queries/``; it never looks up a bare model and never writes (bar a token's "last used").
"""
