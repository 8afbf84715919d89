"""Colour-blind-safe palette (Okabe-Ito) plus neutral greys.

Meaning is never carried by colour alone: right/wrong also get a mark and a word.
"""

BLACK = (0, 0, 0)
WHITE = (255, 255, 255)
ORANGE = (230, 159, 0)
SKY = (86, 180, 233)
GREEN = (0, 158, 115)  # bluish green
YELLOW = (240, 228, 66)
BLUE = (0, 114, 178)
VERMILLION = (213, 94, 0)
PURPLE = (204, 121, 167)  # reddish purple

BG = (24, 28, 34)
PANEL = (38, 44, 54)
PANEL_LIGHT = (58, 66, 80)
FLOOR = (200, 196, 184)
WALL = (52, 56, 64)
OUTDOOR = (150, 176, 150)
GREY = (140, 140, 140)
TEXT = (235, 235, 235)
TEXT_DIM = (170, 176, 186)

RIGHT = BLUE  # paired with a check mark
WRONG = VERMILLION  # paired with a cross mark
WARN = ORANGE
HIGHLIGHT = YELLOW
