"""Setting a WeasyPrint attribute for the time of `applied()`, and putting it back."""
from __future__ import annotations


def replace(owner, name: str, new) -> callable:
    """Set `owner.name` to `new`; return what puts the original back."""
    old = getattr(owner, name)
    setattr(owner, name, new)

    def restore():
        setattr(owner, name, old)
    return restore


def all_of(*restores) -> callable:
    def restore():
        for undo in reversed(restores):
            undo()
    return restore
