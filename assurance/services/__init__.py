"""Write paths: one transactional service function per use case, each writing its audit entry.

Split by area: ``reference`` (registry, frameworks), ``audit``, and one module per
part of the year.
"""
