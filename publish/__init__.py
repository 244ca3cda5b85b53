"""Structured Chinese publications to print PDF, screen PDF, offline HTML and EPUB 3.

The package folders are the pipeline, in the order a build runs them:
``load`` reads and validates the content, ``model`` is the read-only document
model every edition is written from, ``render`` holds one module per edition,
and ``write`` puts finished files into ``output/`` atomically.
"""
