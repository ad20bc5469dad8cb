"""What moved between two catalogs: models added and removed, and each price that
changed, with its change in percent (``breakeven catalog diff OLD NEW``)."""

from __future__ import annotations

from dataclasses import dataclass

from . import _core
from .catalog import CatalogFile

# The engine's resolved fields compared (defaults filled in, so a field written in
# one file and left to its default in the other is no change).
PRICES = ("input", "cached_input", "output", "cache_write_multiplier", "batch_discount",
          "cache_min_tokens")


@dataclass
class CatalogDiff:
    old: str
    new: str
    added: list[str]
    removed: list[str]
    changed: list[dict]  # {model, field, old, new, percent (None: from 0 or none)}

    def to_dict(self) -> dict:
        return {"old": self.old, "new": self.new, "added": self.added,
                "removed": self.removed, "changed": self.changed}

    def document(self):
        from .presentation import Document, Section

        def shown(x) -> str:
            return "-" if x is None else f"{x:g}"

        rows = [[c["model"], c["field"], shown(c["old"]), shown(c["new"]),
                 "-" if c["percent"] is None else f"{c['percent']:+.1f}%"]
                for c in self.changed]
        counts = (f"{len(self.added)} added, {len(self.removed)} removed, "
                  f"{len({c['model'] for c in self.changed})} with changed prices")
        return Document(f"Catalog changes: {self.old} -> {self.new}", [
            Section("Summary", counts, summary=True),
            Section("Added", ", ".join(self.added) or "none", summary=True),
            Section("Removed", ", ".join(self.removed) or "none", summary=True),
            Section("Changed", "USD per 1M tokens; multipliers and discounts as shares.",
                    (["model", "field", "old", "new", "change"], rows), summary=True)])


def diff_catalogs(old: CatalogFile, new: CatalogFile) -> CatalogDiff:
    a, b = _core.catalog_models(old.text), _core.catalog_models(new.text)
    changed = []
    for name in sorted(set(a) & set(b)):
        for f in PRICES:
            x, y = a[name][f], b[name][f]
            if x != y:
                percent = (y - x) / x * 100 if x and y is not None else None
                changed.append({"model": name, "field": f, "old": x, "new": y,
                                "percent": percent})
    return CatalogDiff(str(old.path), str(new.path), sorted(set(b) - set(a)),
                       sorted(set(a) - set(b)), changed)
