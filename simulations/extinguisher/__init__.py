"""Fire extinguishing drill (灭火)."""
