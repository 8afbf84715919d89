"""Demo questions written for this product from the rule facts in the domain reference.

Pure generators: each returns item dicts (the import shape) with a knowledge-point code.
"""

import random

from exams.text import normalise_stem

KNOWLEDGE_TREE = [
    ("law", "安全生产法律法规", None), ("law.special", "特种作业人员管理规定", "law"),
    ("law.exam", "考试与发证", "law"),
    ("elec", "电气安全", None), ("elec.basic", "电工基础与电压等级", "elec"),
    ("elec.shock", "触电防护", "elec"),
    ("fire", "消防安全", None), ("fire.class", "火灾分类", "fire"), ("fire.ext", "灭火器选用", "fire"),
    ("fire.escape", "火场逃生与报警", "fire"),
    ("space", "有限空间作业", None), ("space.gas", "气体检测", "space"),
    ("space.guard", "监护与救援", "space"),
]

FIRE_CLASSES = {
    "A": ["木材", "干草", "煤炭", "棉花", "羊毛", "麻", "纸张"],
    "B": ["煤油", "柴油", "原油", "甲醇", "乙醇", "沥青", "石蜡"],
    "C": ["天然气", "甲烷", "乙烷", "丙烷", "氢气", "城市煤气"],
    "D": ["钾", "钠", "镁", "钛", "锆", "锂"],
    "E": ["配电柜", "变压器", "计算机房内的带电设备"],
    "F": ["炒锅里的食用油", "烹饪器具内的动植物油脂"],
}
SUITABLE = {
    "A": ["水基型灭火器", "ABC干粉灭火器", "泡沫灭火器"],
    "B": ["泡沫灭火器", "BC干粉灭火器", "ABC干粉灭火器", "二氧化碳灭火器"],
    "C": ["ABC干粉灭火器", "BC干粉灭火器", "二氧化碳灭火器"],
    "E": ["ABC干粉灭火器", "BC干粉灭火器", "二氧化碳灭火器"],
}
UNSUITABLE = {"C": ["水基型灭火器", "泡沫灭火器"], "E": ["水基型灭火器", "装有金属喇叭喷筒的二氧化碳灭火器"],
              "D": ["水基型灭火器", "泡沫灭火器"]}
ESCAPE = [
    ("火场逃生时应弯腰低姿前进，并用湿毛巾捂住口鼻。", True),
    ("发生火灾时应乘坐电梯尽快离开高层建筑。", False),
    ("开门前应先用手背触摸门把手，烫手时不要开门。", True),
    ("火场逃生时应向上跑到楼顶等待救援。", False),
    ("逃离火场后，可以返回取回贵重物品。", False),
    ("身上着火时应就地打滚压灭火苗，不要奔跑。", True),
    ("被困在四楼以上时，应立即跳楼逃生。", False),
    ("报火警应拨打119，并说清地址、起火物、火势和有无人员被困。", True),
    ("逃生时应随手关闭身后的门，延缓烟火蔓延。", True),
    ("火场中烟雾向上蔓延，因此应直立快跑穿过浓烟。", False),
]
FACTS_TF = [
    ("elec.basic", ["1"], "低压电工作业是指对{v}以下的低压电器设备进行的作业。",
     "1千伏", ["10千伏", "380伏", "35千伏"], "低压与高压以 1 kV 为界。", 2),
    ("elec.basic", ["1"], "高压电工作业是指对{v}及以上的高压电气设备进行的作业。",
     "1千伏", ["10千伏", "220伏", "6千伏"], "高压电工作业针对 1 kV 及以上设备。", 2),
    ("law.special", [], "高处作业是指在坠落高度基准面{v}及以上有可能坠落的高处进行的作业。",
     "2米", ["3米", "1.5米", "5米"], "特种作业目录：坠落高度 ≥ 2 m。", 2),
    ("law.special", [], "申请特种作业操作证的人员应年满{v}周岁。",
     "18", ["16", "20", "22"], "令30号第4条：年满18周岁。", 1),
    ("law.exam", [], "特种作业操作证有效期为{v}年，在全国范围内有效。",
     "6", ["3", "4", "10"], "令30号第19条。", 2),
    ("law.exam", [], "特种作业安全技术理论考试采用100分制，{v}分及以上为合格。",
     "80", ["60", "70", "90"], "暂行办法第9条。", 1),
    ("law.exam", [], "特种作业安全技术理论考试时间为{v}分钟。",
     "120", ["60", "90", "150"], "暂行办法第9条。", 2),
    ("law.exam", [], "特种作业考试合格成绩的有效期为{v}个月。",
     "12", ["6", "24", "36"], "暂行办法第10条。", 3),
    ("space.gas", [], "有限空间作业前的气体检测，时间不得早于作业开始前{v}分钟。",
     "30", ["60", "90", "120"], "先通风、再检测、后作业；检测不早于作业前30分钟。", 3),
    ("space.gas", [], "有限空间内硫化氢的最高容许浓度为{v}。",
     "10 mg/m³", ["20 mg/m³", "50 mg/m³", "100 mg/m³"], "GBZ 2.1：H₂S MAC 10 mg/m³。", 4),
    ("space.gas", [], "一氧化碳的时间加权平均容许浓度（PC-TWA）为{v}。",
     "20 mg/m³", ["30 mg/m³", "50 mg/m³", "10 mg/m³"], "GBZ 2.1：CO PC-TWA 20 mg/m³，PC-STEL 30 mg/m³。", 5),
    ("space.gas", [], "有限空间内可燃气体浓度应低于爆炸下限的{v}。",
     "10%", ["20%", "25%", "50%"], "可燃气体 < 10% LEL。", 3),
]
OXYGEN = [(18.0, False), (19.0, False), (19.5, True), (20.0, True), (20.9, True), (21.5, True),
          (22.5, True), (23.5, True), (24.0, False), (25.0, False)]
GUARD = [
    ("监护人应在有限空间外全程监护，不得离开作业现场。", True),
    ("监护人发现异常时，应立即进入有限空间救人。", False),
    ("有限空间发生事故时，严禁无防护盲目施救。", True),
    ("有限空间作业应遵循先检测、再作业、后通风的原则。", False),
    ("有限空间作业应遵循先通风、再检测、后作业的原则。", True),
    ("监护人应清点进出有限空间的人员和工具。", True),
    ("作业人员进入有限空间后，监护人可以去做其他工作。", False),
]


def _tf(kp, stem, truth, explanation, difficulty, codes=()) -> dict:
    return {"qtype": "true_false", "stem": stem, "options": [], "key": [0 if truth else 1],
            "explanation": explanation, "knowledge_point": kp, "difficulty": difficulty,
            "posts": [], "operation_codes": list(codes), "status": "published", "image": None}


def _choice(kp, stem, right: list[str], wrong: list[str], explanation, difficulty, rng,
            codes=()) -> dict:
    options = right + wrong
    rng.shuffle(options)
    qtype = "multiple" if len(right) > 1 else "single"
    return {"qtype": qtype, "stem": stem, "options": options,
            "key": sorted(options.index(r) for r in right), "explanation": explanation,
            "knowledge_point": kp, "difficulty": difficulty, "posts": [],
            "operation_codes": list(codes), "status": "published", "image": None}


def fire_questions(rng: random.Random) -> list[dict]:
    """Fire classes (GB/T 4968-2008) and extinguisher choice (GB 50140-2005)."""
    items = []
    for cls, materials in FIRE_CLASSES.items():
        for material in materials:
            why = f"GB/T 4968-2008：{material}燃烧属于{cls}类火灾。"
            others = [c for c in FIRE_CLASSES if c != cls]
            items.append(_tf("fire.class", f"{material}燃烧引起的火灾属于{cls}类火灾。", True, why,
                             1 + rng.randrange(2)))
            for wrong in rng.sample(others, 2):
                items.append(_tf("fire.class", f"{material}燃烧引起的火灾属于{wrong}类火灾。", False, why,
                                 2 + rng.randrange(2)))
            for variant, template in enumerate(("{m}燃烧引起的火灾属于哪一类火灾？",
                                                "按GB/T 4968-2008，{m}着火属于（ ）。")):
                wrong = [f"{c}类火灾" for c in rng.sample(others, 3)]
                items.append(_choice("fire.class", template.format(m=material), [f"{cls}类火灾"], wrong, why,
                                     2 + variant + rng.randrange(2), rng))
    for cls, names in SUITABLE.items():
        for name in names:
            items.append(_tf("fire.ext", f"扑救{cls}类火灾可以选用{name}。", True,
                             "GB 50140-2005 第4.2条。", 2 + rng.randrange(2)))
        for phrase in ("扑救{c}类火灾可以选用的灭火器有（ ）。", "下列灭火器中，适用于{c}类火灾的有（ ）。"):
            wrong = UNSUITABLE.get(cls, []) + ["金属火灾专用灭火器"]
            right = rng.sample(names, min(3, len(names)))
            items.append(_choice("fire.ext", phrase.format(c=cls), right, wrong[:2],
                                 "GB 50140-2005 第4.2条。", 3 + rng.randrange(2), rng))
    phrases = ("下列物质中，着火后属于{c}类火灾的有（ ）。", "以下哪些物质的火灾属于{c}类火灾？",
               "根据GB/T 4968-2008，下列哪些物质燃烧属于{c}类火灾？",
               "仓库中的下列物品着火时，属于{c}类火灾的是（ ）。")
    for cls, materials in FIRE_CLASSES.items():
        others = [m for c, ms in FIRE_CLASSES.items() if c != cls for m in ms]
        for phrase in phrases:
            right = rng.sample(materials, 2)
            items.append(_choice("fire.class", phrase.format(c=cls), right, rng.sample(others, 2),
                                 f"GB/T 4968-2008：{cls}类火灾。", 2 + rng.randrange(3), rng))
    for cls, names in UNSUITABLE.items():
        for name in names:
            items.append(_tf("fire.ext", f"扑救{cls}类火灾可以选用{name}。", False,
                             "GB 50140-2005 第4.2条：该灭火器不适用。", 3 + rng.randrange(2)))
    return items


def escape_questions(rng: random.Random) -> list[dict]:
    """Escape and reporting behaviour."""
    items = [_tf("fire.escape", stem, truth, "火场逃生常识。", 1 + rng.randrange(2))
             for stem, truth in ESCAPE]
    right = [s for s, t in ESCAPE if t]
    wrong = [s for s, t in ESCAPE if not t]
    for number in range(4):
        picks = rng.sample(right, 3)
        items.append(_choice("fire.escape", f"下列火场逃生做法中，正确的有（ ）。（情形{number + 1}）",
                             [p.rstrip("。") for p in picks], [w.rstrip("。") for w in rng.sample(wrong, 2)],
                             "火场逃生常识。", 2 + rng.randrange(3), rng))
    return items


def fact_questions(rng: random.Random) -> list[dict]:
    """Numbers the rules fix, as true/false and single choice."""
    items = []
    for kp, codes, template, value, wrong, why, difficulty in FACTS_TF:
        items.append(_tf(kp, template.format(v=value), True, why, difficulty, codes))
        for other in wrong:
            items.append(_tf(kp, template.format(v=other), False, why, min(5, difficulty + 1), codes))
        stem = template.format(v="（ ）").rstrip("。") + "。"
        items.append(_choice(kp, stem, [value], list(wrong), why, difficulty, rng, codes))
    for value, ok in OXYGEN:
        items.append(_tf("space.gas", f"有限空间内氧含量为{value}%时，符合进入作业的要求。", ok,
                         "氧含量合格范围为19.5%～23.5%。", 3 + rng.randrange(2)))
    items.append(_choice("space.gas", "有限空间作业前应检测的气体参数包括（ ）。",
                         ["氧含量", "可燃气体浓度", "有毒有害气体浓度"], ["环境噪声"],
                         "检测氧、可燃气体和有毒有害气体。", 2, rng))
    items.append(_choice("space.gas", "有限空间作业的正确顺序是（ ）。", ["先通风、再检测、后作业"],
                         ["先作业、再检测、后通风", "先检测、再作业、后通风", "先通风、再作业、后检测"],
                         "先通风、再检测、后作业。", 2, rng))
    for stem, truth in GUARD:
        items.append(_tf("space.guard", stem, truth, "有限空间监护要求。", 2 + rng.randrange(2)))
    items.append(_choice("space.guard", "有限空间作业监护人的职责包括（ ）。",
                         ["全程在外监护", "清点进出人员和工具", "发现异常时组织撤离"], ["进入空间协助作业"],
                         "监护人不得进入有限空间。", 3, rng))
    return items


def all_questions(seed: int = 2026) -> list[dict]:
    """Every demo question, de-duplicated by folded stem, in a fixed order."""
    rng = random.Random(seed)
    items, seen = [], set()
    for item in fire_questions(rng) + escape_questions(rng) + fact_questions(rng):
        norm = normalise_stem(item["stem"])
        if norm not in seen:
            seen.add(norm)
            items.append(item)
    return items
