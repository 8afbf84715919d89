"""Demo questions written for this product from the rule facts in the domain reference.

Pure generators: each returns item dicts (the import shape) with a knowledge-point code.
"""

import random

from exams.text import normalise_stem

KNOWLEDGE_TREE = [
    ("law", "安全生产法律法规", None), ("law.special", "特种作业人员管理规定", "law"),
    ("law.exam", "考试与发证", "law"),
    ("elec", "电气安全", None), ("elec.basic", "电工基础与电压等级", "elec"),
    ("elec.shock", "触电防护", "elec"), ("elec.work", "停送电与安全技术措施", "elec"),
    ("elec.tools", "电工安全用具与仪表", "elec"), ("elec.aid", "触电急救", "elec"),
    ("law.duty", "主要负责人与安全管理职责", "law"),
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
#: Low-voltage electrician theory (operation category 1): general electrical-safety knowledge as
#: taught for the 低压电工 theory exam, written for this product. (kp, template, value, wrong values,
#: explanation, difficulty) like FACTS_TF.
ELEC_FACTS = [
    ("elec.shock", "我国安全电压额定值的等级为42 V、36 V、24 V、12 V和{v}。", "6 V",
     ["3 V", "9 V", "18 V"], "GB/T 3805：安全特低电压额定值等级为42、36、24、12、6 V。", 2),
    ("elec.shock", "在金属容器内、特别潮湿场所工作，手持照明灯应采用{v}的安全电压。", "12 V",
     ["36 V", "24 V", "42 V"], "狭窄、导电良好的场所应采用12 V安全电压。", 3),
    ("elec.shock", "用于人身触电保护的剩余电流动作保护器，额定剩余动作电流应不大于{v}。", "30 mA",
     ["50 mA", "100 mA", "300 mA"], "人身防护用漏电保护器：不大于30 mA、0.1 s。", 2),
    ("elec.shock", "用于人身触电保护的剩余电流动作保护器，动作时间应不大于{v}。", "0.1 s",
     ["0.5 s", "1 s", "0.2 s"], "人身防护用漏电保护器：不大于30 mA、0.1 s。", 3),
    ("elec.shock", "工频交流电流通过人体达到{v}左右时，即可能引起心室颤动而危及生命。", "50 mA",
     ["1 mA", "5 mA", "0.5 mA"], "室颤电流约50 mA；感知电流约1 mA。", 3),
    ("elec.basic", "我国工频交流电的频率为{v}。", "50 Hz", ["60 Hz", "100 Hz", "25 Hz"],
     "我国电网工频为50 Hz。", 1),
    ("elec.basic", "三相四线制低压系统中，相电压为220 V，线电压为{v}。", "380 V",
     ["220 V", "400 V", "110 V"], "线电压是相电压的√3倍：220 V × 1.732 ≈ 380 V。", 2),
    ("elec.basic", "低压配电系统中，保护接地电阻一般不应大于{v}。", "4 Ω", ["10 Ω", "30 Ω", "100 Ω"],
     "低压系统保护接地电阻一般不大于4 Ω。", 3),
    ("elec.basic", "保护线（PE线）的颜色标识为{v}。", "绿/黄双色", ["淡蓝色", "黑色", "红色"],
     "GB 7947：PE线绿/黄双色，N线淡蓝色。", 1),
    ("elec.basic", "中性线（N线）的颜色标识为{v}。", "淡蓝色", ["绿/黄双色", "黄色", "黑色"],
     "GB 7947：PE线绿/黄双色，N线淡蓝色。", 2),
    ("elec.basic", "三相交流电L1、L2、L3相线的颜色依次为{v}。", "黄、绿、红",
     ["红、绿、黄", "黄、红、绿", "绿、黄、红"], "相序颜色：L1黄、L2绿、L3红。", 2),
    ("elec.work", "携带型接地线应采用截面不小于{v}的多股软铜线。", "25 mm²",
     ["2.5 mm²", "4 mm²", "10 mm²"], "接地线须有足够截面，能承受短路电流。", 3),
    ("elec.work", "低压作业时，人体及所携带工具与带电体的距离不应小于{v}。", "0.1 m",
     ["0.05 m", "0.02 m", "0.01 m"], "低压作业安全距离不小于0.1 m。", 4),
    ("elec.work", "使用梯子登高作业时，梯子与地面的夹角以{v}左右为宜。", "60°", ["30°", "45°", "80°"],
     "梯子与地面夹角约60°，并有人扶持。", 2),
    ("elec.tools", "绝缘手套和绝缘靴的预防性试验周期为{v}。", "6个月", ["1年", "2年", "3个月"],
     "绝缘手套、绝缘靴每半年试验一次。", 3),
    ("elec.tools", "低压验电笔一般适用于{v}以下的电压。", "500 V", ["1000 V", "220 V", "36 V"],
     "低压验电器适用于500 V以下。", 2),
    ("elec.aid", "成人心肺复苏时，胸外按压的频率为每分钟{v}次。", "100～120",
     ["60～80", "80～90", "140～160"], "胸外按压频率100～120次/分。", 2),
    ("elec.aid", "成人心肺复苏时，胸外按压深度应为{v}。", "5～6 cm", ["2～3 cm", "3～4 cm", "8～10 cm"],
     "成人按压深度5～6 cm。", 3),
    ("elec.aid", "单人心肺复苏时，胸外按压与人工呼吸的比例为{v}。", "30:2", ["15:2", "5:1", "30:1"],
     "按压与通气比30:2。", 2),
]
ELEC_TF = [
    ("elec.work", "停电检修时，应在一经合闸即可送电到工作地点的开关操作把手上悬挂"
     "“禁止合闸，有人工作！”标示牌。", True),
    ("elec.work", "验电前应先在有电设备上确认验电器良好。", True),
    ("elec.work", "装设接地线时应先接导体端，后接接地端。", False),
    ("elec.work", "拆除接地线时应先拆导体端，后拆接地端。", True),
    ("elec.work", "可以采用约时停送电的方式进行检修。", False),
    ("elec.work", "电气设备检修完毕送电前，应确认所有人员已撤离、接地线已拆除。", True),
    ("elec.work", "雷雨天气时不宜进行室外倒闸操作。", True),
    ("elec.work", "电工作业人员可以在无人监护的情况下进行带电作业。", False),
    ("elec.work", "低压带电作业时，人体可以同时接触两根线头。", False),
    ("elec.work", "配电箱、开关箱应加锁，并有专人负责。", True),
    ("elec.work", "无证人员可以在持证电工的指导下单独从事电工作业。", False),
    ("elec.shock", "电气设备着火时，应先切断电源再灭火。", True),
    ("elec.shock", "扑救带电设备火灾可以使用泡沫灭火器。", False),
    ("elec.shock", "熔断器的熔体可以用铜丝代替。", False),
    ("elec.shock", "漏电保护器安装后应定期按动试验按钮，检查其动作是否可靠。", True),
    ("elec.shock", "同一低压配电系统中，可以一部分设备保护接地、另一部分设备保护接零。", False),
    ("elec.shock", "PE线上不得装设开关或熔断器。", True),
    ("elec.shock", "在潮湿场所使用Ⅰ类手持电动工具，可以不装设漏电保护器。", False),
    ("elec.shock", "电动机的金属外壳应可靠接地或接零。", True),
    ("elec.shock", "发现高压导线断落在地面时，室外人员应远离落地点8 m以外。", True),
    ("elec.shock", "遇到跨步电压时，应单脚跳或双脚并拢跳离危险区域。", True),
    ("elec.shock", "电流从左手经前胸到脚的途径最为危险。", True),
    ("elec.shock", "人体触电的伤害程度与电流大小、通电时间和电流途径等有关。", True),
    ("elec.shock", "电气线路绝缘老化破损后，用普通胶布包扎即可长期使用。", False),
    ("elec.shock", "移动式电气设备的电源线应采用橡套软电缆。", True),
    ("elec.shock", "在金属容器内工作时，照明必须使用安全电压。", True),
    ("elec.shock", "雷雨时可以在大树下避雨。", False),
    ("elec.tools", "使用万用表测量电阻时，可以在被测电路带电的情况下进行。", False),
    ("elec.tools", "用兆欧表测量绝缘电阻前，必须先将被测设备断电并对地放电。", True),
    ("elec.tools", "使用绝缘手套前应检查有无漏气、破损。", True),
    ("elec.aid", "发现有人触电，应立即用手将其拉离电源。", False),
    ("elec.aid", "触电者脱离电源后，如无意识、无正常呼吸，应立即进行心肺复苏。", True),
]
#: (kp, stem, right option, wrong options, explanation, difficulty)
ELEC_CHOICE = [
    ("elec.aid", "发现有人触电，首先应（ ）。", "迅速使触电者脱离电源",
     ["立即进行人工呼吸", "拨打120后原地等待", "用手拉开触电者"], "先断电或用绝缘物使其脱离电源。", 1),
    ("elec.shock", "扑救带电的电气设备火灾，不能使用（ ）。", "泡沫灭火器",
     ["二氧化碳灭火器", "ABC干粉灭火器", "BC干粉灭火器"], "泡沫导电；应先断电，带电时用干粉或CO₂。", 2),
    ("elec.work", "停电检修时，装设接地线的正确顺序是（ ）。", "先接接地端，后接导体端",
     ["先接导体端，后接接地端", "两端同时连接", "顺序没有要求"], "装设先接地端，拆除先拆导体端。", 2),
    ("elec.work", "保证电气作业安全的技术措施依次为（ ）。", "停电、验电、装设接地线、悬挂标示牌和装设遮栏",
     ["验电、停电、装设接地线、悬挂标示牌", "停电、装设接地线、验电、悬挂标示牌",
      "悬挂标示牌、停电、验电、装设接地线"], "停电→验电→接地→标示牌和遮栏。", 2),
    ("elec.work", "在工作地点应悬挂（ ）标示牌。", "在此工作！",
     ["禁止合闸，有人工作！", "止步，高压危险！", "禁止攀登，高压危险！"], "工作地点挂“在此工作！”。", 3),
    ("elec.tools", "下列属于低压基本安全用具的是（ ）。", "低压验电器", ["绝缘垫", "绝缘鞋", "遮栏"],
     "低压基本安全用具：绝缘手套、低压验电器、带绝缘柄的工具。", 3),
    ("elec.tools", "测量电气设备的绝缘电阻应使用（ ）。", "兆欧表",
     ["万用表的电流挡", "钳形电流表", "电能表"], "绝缘电阻用兆欧表（摇表）测量。", 2),
    ("elec.tools", "在不断开电路的情况下测量电流，可使用（ ）。", "钳形电流表",
     ["兆欧表", "接地电阻测试仪", "电压表"], "钳形电流表不必断开电路。", 2),
    ("elec.tools", "Ⅱ类手持电动工具的特点是（ ）。", "采用双重绝缘或加强绝缘",
     ["采用安全特低电压供电", "仅有基本绝缘并需接地", "不需要任何绝缘"], "Ⅱ类工具：双重或加强绝缘。", 3),
    ("elec.basic", "保护接零时，电动机的金属外壳应接在（ ）上。", "保护线（PE线）",
     ["相线", "工作零线（N线）", "任意一根导线"], "外壳接PE线，PE线上不装开关和熔断器。", 3),
    ("elec.shock", "人体电阻一般在（ ）之间。", "1000～2000 Ω", ["10～50 Ω", "100～200 Ω", "10～20 MΩ"],
     "干燥条件下人体电阻约1000～2000 Ω。", 3),
    ("elec.shock", "下列触电方式中，一般最危险的是（ ）。", "两相触电",
     ["单相触电", "跨步电压触电", "感应电压触电"], "两相触电时人体承受线电压。", 2),
    ("elec.basic", "热继电器在电动机控制线路中主要用作（ ）保护。", "过载", ["短路", "欠压", "漏电"],
     "热继电器作过载保护，熔断器作短路保护。", 3),
    ("elec.basic", "熔断器在电路中主要用作（ ）保护。", "短路", ["过载", "欠压", "漏电"],
     "热继电器作过载保护，熔断器作短路保护。", 3),
    ("elec.shock", "剩余电流动作保护器（漏电保护器）的主要作用是（ ）。", "防止人身触电和漏电火灾",
     ["防止电动机过载", "稳定电网电压", "提高功率因数"], "漏电保护器检测剩余电流并切断电源。", 2),
    ("elec.aid", "触电者无意识、无正常呼吸时，应立即（ ）。", "拨打120并进行心肺复苏",
     ["给其喝水", "等待其自行苏醒", "用冷水泼醒"], "尽早心肺复苏，同时呼叫急救。", 1),
    ("elec.shock", "电气设备的金属外壳与接地装置可靠连接，称为（ ）。", "保护接地",
     ["工作接地", "防雷接地", "防静电接地"], "保护接地使外壳漏电时对地电压降低。", 2),
]
#: Principal / safety-manager knowledge (posts: principal and safety manager only).
DUTY_CHOICE = [
    ("生产经营单位的（ ）是本单位安全生产第一责任人。", "主要负责人",
     ["安全生产管理人员", "分管生产的副职", "工会主席"], "安全生产法：主要负责人是第一责任人。"),
    ("事故隐患整改要做到整改措施、责任、资金、时限和预案“（ ）”。", "五到位",
     ["三到位", "四到位", "六到位"], "隐患治理“五到位”。"),
    ("从业人员发现直接危及人身安全的紧急情况时，有权（ ）。",
     "停止作业或者在采取可能的应急措施后撤离作业场所",
     ["继续作业直至完成任务", "等上级批准后再撤离", "只能向工会报告"], "安全生产法：紧急撤离权。"),
    ("安全风险分级管控和隐患排查治理合称（ ）。", "双重预防机制",
     ["“三同时”制度", "安全生产标准化", "应急预案体系"], "双重预防机制。"),
    ("建设项目的安全设施必须与主体工程同时设计、同时施工、同时投入生产和使用，这被称为（ ）。", "“三同时”",
     ["“三同步”", "“三落实”", "“三到位”"], "安全生产法：“三同时”。"),
    ("生产经营单位应当如实告知从业人员作业场所和工作岗位存在的（ ）、防范措施以及事故应急措施。",
     "危险因素", ["经营状况", "薪酬标准", "晋升渠道"], "安全生产法：从业人员的知情权。"),
    ("组织制定并实施本单位安全生产教育和培训计划，是（ ）的职责之一。", "主要负责人",
     ["特种作业人员", "班组兼职安全员", "外来施工人员"], "安全生产法：主要负责人的职责。"),
]
PRINCIPAL_POSTS = ["principal", "safety_manager"]

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


def electrical_questions(rng: random.Random) -> list[dict]:
    """Low-voltage electrician theory (operation category 1), marked as teaching examples."""
    codes = ["1"]
    items = []
    for kp, template, value, wrong, why, difficulty in ELEC_FACTS:
        items.append(_tf(kp, template.format(v=value), True, why, difficulty, codes))
        for other in wrong:
            items.append(_tf(kp, template.format(v=other), False, why, min(5, difficulty + 1), codes))
        stem = template.format(v="（ ）")
        items.append(_choice(kp, stem, [value], list(wrong), why, difficulty, rng, codes))
    items += [_tf(kp, stem, truth, "电工作业安全常识（教学示例）。", 1 + rng.randrange(3), codes)
              for kp, stem, truth in ELEC_TF]
    items += [_choice(kp, stem, [right], wrong, why, difficulty, rng, codes)
              for kp, stem, right, wrong, why, difficulty in ELEC_CHOICE]
    return items


def duty_questions(rng: random.Random) -> list[dict]:
    """Duties of principals and safety managers, for their paper only."""
    items = []
    for stem, right, wrong, why in DUTY_CHOICE:
        item = _choice("law.duty", stem, [right], wrong, why, 2 + rng.randrange(2), rng)
        items.append({**item, "posts": list(PRINCIPAL_POSTS)})
    return items


def all_questions(seed: int = 2026) -> list[dict]:
    """Every demo question, de-duplicated by folded stem, in a fixed order."""
    rng = random.Random(seed)
    items, seen = [], set()
    for item in (fire_questions(rng) + escape_questions(rng) + fact_questions(rng)
                 + electrical_questions(rng) + duty_questions(rng)):
        norm = normalise_stem(item["stem"])
        if norm not in seen:
            seen.add(norm)
            items.append(item)
    return items
