"""Top floor: the `onhand` CLI and the pipeline that runs the stages. Nothing imports it."""
