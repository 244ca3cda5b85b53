"""Stage 1: read a publication folder into the document model, validating as it goes."""
from .publication import load_publication, find_publications

__all__ = ["load_publication", "find_publications"]
