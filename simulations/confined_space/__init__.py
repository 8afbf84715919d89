"""Confined-space entry drill (有限空间作业)."""
