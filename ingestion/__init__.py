"""Sources -> lake: the landing contract, readers, validation, de-duplication and batches."""
