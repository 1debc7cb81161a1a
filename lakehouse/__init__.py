"""Ground floor: where Onhand's data lives (workspace paths, lake batches)."""
