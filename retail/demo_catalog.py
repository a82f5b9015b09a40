"""A deterministic demo catalog: categories, brands and products for a Chinese supermarket.

Everything is derived from a seed, so the demo, the tests and the benchmarks all see
the same catalog. Products are streamed, so 200,000 of them never sit in memory at once.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple, TypeVar

from retail.barcodes import DEFAULT_WEIGHED_RULES, weighed_item_lookup, with_check_digit
from retail.money import round_half_up

#: Share of products sold loose by weight (fresh produce, meat, seafood).
WEIGHED_SHARE = 0.02
#: The scale rule whose PLU keys the weighed items are registered under ("21" + PLU).
WEIGHED_RULE = DEFAULT_WEIGHED_RULES[0]
HOUSE_BRAND_CODE = "B000"

_T = TypeVar("_T")

_GS1_CHINA_PREFIXES = 6  # 690-695
_ITEM_REF_SPACE = 100_000  # 5-digit item reference after a 7-digit company prefix
_ITEM_REF_STRIDE = 7919  # coprime with 10**5, so the scramble of item numbers is a bijection


@dataclass(frozen=True, slots=True)
class DemoCategory:
    """A product category with its VAT rate in basis points (900 = 9%)."""

    code: str
    name_zh: str
    name_en: str
    tax_rate_bp: int


@dataclass(frozen=True, slots=True)
class DemoBrand:
    """An invented brand."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """A catalog product; `price_fen` is tax-inclusive, per kg when `weighed`."""

    sku: str
    name_zh: str
    name_en: str
    category_code: str
    brand_code: str
    barcode: str
    unit: str
    price_fen: int
    weighed: bool


class StorePrice(NamedTuple):
    """A store-specific price that overrides the chain price of one product."""

    sku: str
    store_code: str
    price_fen: int


# --- the data a product is assembled from -------------------------------------------

# A size: (zh, en, price factor in percent of the item's base price).
_Size = tuple[str, str, int]
# An item: (zh, en, base price in fen, unit, size set, variant set).
_Item = tuple[str, str, int, str, str, str]

# fmt: off
_SIZES: dict[str, tuple[_Size, ...]] = {
    "-": (("", "", 100),),
    "produce": (("250g", "250g", 60), ("500g", "500g", 100), ("1kg", "1kg", 180)),
    "punnet": (("125g", "125g", 60), ("250g", "250g", 100), ("500g", "500g", 180)),
    "meat": (("300g", "300g", 70), ("400g", "400g", 100), ("1kg", "1kg", 230)),
    "eggs": (("10枚", "10 pcs", 100), ("15枚", "15 pcs", 145), ("30枚", "30 pcs", 270)),
    "bottle": (("250ml", "250ml", 60), ("500ml", "500ml", 100), ("1L", "1L", 180)),
    "drink": (("330ml", "330ml", 70), ("550ml", "550ml", 100), ("1.5L", "1.5L", 210),
              ("550mlx12瓶", "550ml x12", 1000)),
    "carton": (("250mlx12盒", "250ml x12", 100), ("250mlx24盒", "250ml x24", 190)),
    "cup": (("100g", "100g", 60), ("200g", "200g", 100), ("100gx8杯", "100g x8", 380)),
    "wine": (("375ml", "375ml", 60), ("750ml", "750ml", 100), ("750mlx6瓶", "750ml x6", 560)),
    "beer": (("330mlx6罐", "330ml x6", 100), ("500mlx12罐", "500ml x12", 280)),
    "snack": (("70g", "70g", 60), ("150g", "150g", 100), ("500g", "500g", 280)),
    "staple": (("1kg", "1kg", 30), ("2.5kg", "2.5kg", 60), ("5kg", "5kg", 100),
               ("10kg", "10kg", 190)),
    "oil": (("900ml", "900ml", 30), ("1.8L", "1.8L", 55), ("5L", "5L", 100)),
    "sauce": (("500ml", "500ml", 100), ("1.28L", "1.28L", 210)),
    "pack": (("1袋", "1 pack", 100), ("5袋", "5 packs", 450)),
    "bag": (("300g", "300g", 60), ("500g", "500g", 100), ("1kg", "1kg", 180)),
    "tissue": (("130抽x3包", "130x3", 55), ("130抽x6包", "130x6", 100),
               ("130抽x10包", "130x10", 160)),
    "roll": (("10卷", "10 rolls", 60), ("27卷", "27 rolls", 150)),
    "liquid": (("500g", "500g", 40), ("1kg", "1kg", 70), ("3kg", "3kg", 100)),
    "care": (("200ml", "200ml", 60), ("400ml", "400ml", 100), ("750ml", "750ml", 160)),
    "diaper": (("S码 72片", "S 72 pcs", 100), ("M码 60片", "M 60 pcs", 100),
               ("L码 52片", "L 52 pcs", 100)),
    "formula": (("1段 800g", "Stage 1 800g", 100), ("2段 800g", "Stage 2 800g", 100),
                ("3段 800g", "Stage 3 800g", 95)),
    "petfood": (("1.5kg", "1.5kg", 100), ("5kg", "5kg", 300)),
    "count": (("1支", "1 pc", 30), ("3支装", "3-pack", 80), ("10支装", "10-pack", 230)),
    "ream": (("1包", "1 ream", 100), ("5包", "5 reams", 460)),
    "cm": (("24cm", "24cm", 80), ("28cm", "28cm", 100), ("32cm", "32cm", 125)),
}

_VARIANTS: dict[str, tuple[tuple[str, str], ...]] = {
    "-": (("", ""),),
    "fresh": (("", ""), ("精选", "Select"), ("有机", "Organic")),
    "meat": (("", ""), ("冷鲜", "Chilled"), ("精修", "Trimmed")),
    "milk": (("全脂", "Whole"), ("低脂", "Low-fat"), ("脱脂", "Skimmed")),
    "yogurt": (("原味", "Plain"), ("草莓味", "Strawberry"), ("黄桃味", "Peach")),
    "soft": (("原味", "Original"), ("无糖", "Sugar-free"), ("柠檬味", "Lemon")),
    "juice": (("橙", "Orange"), ("苹果", "Apple"), ("芒果", "Mango")),
    "wine": (("", ""), ("珍藏", "Reserve"), ("窖藏", "Cellar")),
    "crisps": (("原味", "Original"), ("番茄味", "Tomato"), ("黄瓜味", "Cucumber"),
               ("烧烤味", "BBQ")),
    "sweet": (("原味", "Original"), ("草莓味", "Strawberry"), ("抹茶味", "Matcha")),
    "spicy": (("原味", "Original"), ("香辣", "Hot & Spicy"), ("五香", "Five-spice")),
    "noodle": (("红烧牛肉", "Braised Beef"), ("老坛酸菜", "Pickled Cabbage"),
               ("香菇炖鸡", "Mushroom Chicken")),
    "dumpling": (("猪肉白菜", "Pork & Cabbage"), ("韭菜鸡蛋", "Chive & Egg"),
                 ("三鲜", "Three Delicacies")),
    "scent": (("", ""), ("薰衣草", "Lavender"), ("柠檬", "Lemon"), ("茉莉", "Jasmine")),
    "tissue": (("3层", "3-ply"), ("4层", "4-ply")),
    "colour": (("黑色", "Black"), ("蓝色", "Blue"), ("红色", "Red")),
    "appliance": (("", ""), ("白色", "White"), ("升级款", "Upgraded")),
}
# fmt: on

_LOOSE = ("散称", "Loose")  # what the label of a weighed item adds


@dataclass(frozen=True, slots=True)
class _CategorySpec:
    category: DemoCategory
    items: tuple[_Item, ...]
    weighed: tuple[tuple[str, str, int], ...] = ()  # (zh, en, price per kg in fen)


def _cat(
    code: str,
    zh: str,
    en: str,
    tax_bp: int,
    items: tuple[_Item, ...],
    weighed: tuple[tuple[str, str, int], ...] = (),
) -> _CategorySpec:
    return _CategorySpec(DemoCategory(code, zh, en, tax_bp), items, weighed)


# Chinese VAT: agricultural produce, grain and edible oil, fresh milk, books 9%; most goods 13%.
# fmt: off
_SPECS: tuple[_CategorySpec, ...] = (
    _cat("VEG", "蔬菜", "Vegetables", 900, (
        ("小番茄", "Cherry Tomatoes", 690, "盒", "punnet", "fresh"),
        ("西兰花", "Broccoli", 590, "袋", "produce", "fresh"),
        ("沙拉菜", "Salad Leaves", 790, "袋", "produce", "fresh"),
        ("香菇", "Shiitake Mushrooms", 890, "盒", "punnet", "fresh"),
    ), (
        ("大白菜", "Napa Cabbage", 298), ("土豆", "Potatoes", 398), ("西红柿", "Tomatoes", 698),
        ("黄瓜", "Cucumbers", 598), ("胡萝卜", "Carrots", 398), ("青椒", "Green Peppers", 798),
        ("菠菜", "Spinach", 898), ("生姜", "Ginger", 1598),
    )),
    _cat("FRU", "水果", "Fruit", 900, (
        ("草莓", "Strawberries", 2990, "盒", "punnet", "fresh"),
        ("蓝莓", "Blueberries", 1990, "盒", "punnet", "fresh"),
        ("红富士苹果", "Fuji Apples", 1290, "袋", "produce", "fresh"),
    ), (
        ("苹果", "Apples", 998), ("香蕉", "Bananas", 698), ("橙子", "Oranges", 898),
        ("葡萄", "Grapes", 1598), ("西瓜", "Watermelon", 398), ("猕猴桃", "Kiwi Fruit", 1998),
        ("芒果", "Mangoes", 1298),
    )),
    _cat("MEA", "肉禽", "Meat & Poultry", 900, (
        ("鸡胸肉", "Chicken Breast", 1590, "盒", "meat", "meat"),
        ("猪肉馅", "Minced Pork", 1890, "盒", "meat", "meat"),
        ("牛腱子", "Beef Shank", 4990, "盒", "meat", "meat"),
    ), (
        ("五花肉", "Pork Belly", 2980), ("猪里脊", "Pork Tenderloin", 3280),
        ("牛腩", "Beef Brisket", 7980), ("鸡翅中", "Chicken Wings", 4580),
        ("猪肋排", "Pork Ribs", 5980),
    )),
    _cat("SEA", "水产", "Seafood", 900, (
        ("虾仁", "Peeled Shrimp", 3990, "袋", "bag", "-"),
        ("三文鱼切片", "Salmon Slices", 5990, "盒", "meat", "-"),
    ), (
        ("鲈鱼", "Sea Bass", 5980), ("草鱼", "Grass Carp", 2380),
        ("基围虾", "Greasyback Shrimp", 9800), ("花蛤", "Clams", 1980), ("带鱼", "Hairtail", 4980),
    )),
    _cat("EGG", "禽蛋", "Eggs", 900, (
        ("鲜鸡蛋", "Fresh Eggs", 1290, "盒", "eggs", "-"),
        ("土鸡蛋", "Free-range Eggs", 1990, "盒", "eggs", "-"),
        ("咸鸭蛋", "Salted Duck Eggs", 1590, "盒", "eggs", "-"),
    )),
    _cat("MLK", "鲜奶", "Fresh Milk", 900, (
        ("巴氏鲜牛奶", "Pasteurised Milk", 990, "瓶", "bottle", "milk"),
    )),
    _cat("DAI", "乳制品", "Dairy", 1300, (
        ("纯牛奶", "UHT Milk", 5990, "件", "carton", "milk"),
        ("酸奶", "Yogurt", 690, "件", "cup", "yogurt"),
        ("奶酪片", "Cheese Slices", 1990, "袋", "snack", "-"),
    )),
    _cat("BEV", "饮料", "Beverages", 1300, (
        ("天然矿泉水", "Natural Mineral Water", 250, "瓶", "drink", "-"),
        ("苏打水", "Soda Water", 450, "瓶", "drink", "soft"),
        ("茶饮料", "Tea Drink", 450, "瓶", "drink", "soft"),
        ("果汁", "Fruit Juice", 690, "瓶", "drink", "juice"),
        ("气泡水", "Sparkling Water", 550, "瓶", "drink", "soft"),
    )),
    _cat("ALC", "酒水", "Wine & Spirits", 1300, (
        ("干红葡萄酒", "Dry Red Wine", 8900, "瓶", "wine", "wine"),
        ("白葡萄酒", "White Wine", 7900, "瓶", "wine", "wine"),
        ("清香型白酒", "Light Aroma Baijiu", 12800, "瓶", "wine", "wine"),
        ("精酿啤酒", "Craft Lager", 3990, "件", "beer", "-"),
        ("黄酒", "Yellow Rice Wine", 2990, "瓶", "wine", "wine"),
    )),
    _cat("SNK", "零食", "Snacks", 1300, (
        ("薯片", "Potato Chips", 890, "袋", "snack", "crisps"),
        ("苏打饼干", "Soda Crackers", 990, "袋", "snack", "-"),
        ("每日坚果", "Daily Mixed Nuts", 3990, "盒", "snack", "-"),
        ("牛肉干", "Beef Jerky", 2990, "袋", "snack", "spicy"),
        ("海苔", "Seaweed Snack", 1290, "袋", "snack", "spicy"),
        ("瓜子", "Sunflower Seeds", 990, "袋", "snack", "spicy"),
    )),
    _cat("CAN", "糖果巧克力", "Sweets & Chocolate", 1300, (
        ("牛奶巧克力", "Milk Chocolate", 1590, "盒", "snack", "-"),
        ("水果软糖", "Fruit Gummies", 890, "袋", "snack", "sweet"),
        ("口香糖", "Chewing Gum", 690, "盒", "-", "sweet"),
    )),
    _cat("GRN", "粮油", "Rice & Oil", 900, (
        ("东北大米", "Northeast Rice", 4990, "袋", "staple", "-"),
        ("小麦粉", "Wheat Flour", 2990, "袋", "staple", "-"),
        ("花生油", "Peanut Oil", 9990, "瓶", "oil", "-"),
        ("菜籽油", "Rapeseed Oil", 6990, "瓶", "oil", "-"),
    )),
    _cat("SAU", "调味品", "Condiments", 1300, (
        ("生抽", "Light Soy Sauce", 990, "瓶", "sauce", "-"),
        ("老抽", "Dark Soy Sauce", 1090, "瓶", "sauce", "-"),
        ("陈醋", "Aged Vinegar", 890, "瓶", "sauce", "-"),
        ("蚝油", "Oyster Sauce", 1290, "瓶", "sauce", "-"),
        ("火锅底料", "Hotpot Soup Base", 1590, "袋", "pack", "spicy"),
    )),
    _cat("INS", "方便速食", "Instant Food", 1300, (
        ("方便面", "Instant Noodles", 450, "袋", "pack", "noodle"),
        ("挂面", "Dried Noodles", 690, "袋", "staple", "-"),
        ("自热火锅", "Self-heating Hotpot", 2990, "盒", "-", "spicy"),
        ("午餐肉罐头", "Luncheon Meat", 1590, "件", "-", "-"),
    )),
    _cat("FRZ", "冷冻食品", "Frozen Food", 1300, (
        ("速冻水饺", "Frozen Dumplings", 1990, "袋", "bag", "dumpling"),
        ("汤圆", "Glutinous Rice Balls", 1290, "袋", "bag", "sweet"),
        ("冰淇淋", "Ice Cream", 890, "盒", "-", "sweet"),
        ("鸡块", "Chicken Nuggets", 2490, "袋", "bag", "-"),
    )),
    _cat("BAK", "烘焙", "Bakery", 1300, (
        ("吐司面包", "Toast Bread", 990, "袋", "-", "-"),
        ("全麦面包", "Wholemeal Bread", 1290, "袋", "-", "-"),
        ("牛角包", "Croissants", 1590, "盒", "-", "-"),
        ("蛋糕卷", "Swiss Roll", 1990, "盒", "-", "sweet"),
    )),
    _cat("TEA", "茶叶冲饮", "Tea & Coffee", 1300, (
        ("绿茶", "Green Tea Leaves", 6900, "盒", "-", "-"),
        ("乌龙茶", "Oolong Tea", 8900, "盒", "-", "-"),
        ("速溶咖啡", "Instant Coffee", 4590, "盒", "-", "-"),
        ("燕麦片", "Rolled Oats", 2290, "袋", "bag", "-"),
    )),
    _cat("PAP", "纸品", "Paper Products", 1300, (
        ("原木纯品抽纸", "Pure Wood Facial Tissue", 1990, "袋", "tissue", "tissue"),
        ("卷纸", "Toilet Roll", 3990, "袋", "roll", "tissue"),
        ("厨房纸巾", "Kitchen Towel", 1590, "袋", "roll", "-"),
    )),
    _cat("HOU", "日化", "Household", 1300, (
        ("洗衣液", "Laundry Liquid", 3990, "瓶", "liquid", "scent"),
        ("洗洁精", "Dishwashing Liquid", 1290, "瓶", "liquid", "scent"),
        ("消毒液", "Disinfectant", 1990, "瓶", "liquid", "-"),
        ("垃圾袋", "Bin Bags", 990, "袋", "pack", "-"),
    )),
    _cat("PER", "个人护理", "Personal Care", 1300, (
        ("洗发水", "Shampoo", 4590, "瓶", "care", "scent"),
        ("沐浴露", "Body Wash", 3990, "瓶", "care", "scent"),
        ("牙膏", "Toothpaste", 1590, "件", "-", "-"),
        ("牙刷", "Toothbrush", 990, "件", "count", "-"),
        ("洗面奶", "Facial Cleanser", 4990, "件", "-", "-"),
    )),
    _cat("BAB", "母婴", "Baby", 1300, (
        ("婴儿配方奶粉", "Infant Formula", 26800, "件", "formula", "-"),
        ("纸尿裤", "Nappies", 12900, "袋", "diaper", "-"),
        ("婴儿湿巾", "Baby Wipes", 1590, "袋", "pack", "-"),
    )),
    _cat("PET", "宠物用品", "Pet Supplies", 1300, (
        ("成犬粮", "Adult Dog Food", 8900, "袋", "petfood", "-"),
        ("全价猫粮", "Complete Cat Food", 9900, "袋", "petfood", "-"),
        ("豆腐猫砂", "Tofu Cat Litter", 3990, "袋", "-", "-"),
    )),
    _cat("KIT", "厨具", "Kitchenware", 1300, (
        ("不粘炒锅", "Non-stick Wok", 15900, "件", "cm", "-"),
        ("保鲜盒", "Food Storage Box", 2990, "盒", "-", "-"),
        ("保鲜膜", "Cling Film", 1290, "盒", "-", "-"),
    )),
    _cat("HOM", "家居", "Home Goods", 1300, (
        ("纯棉毛巾", "Cotton Towel", 2590, "件", "-", "colour"),
        ("收纳箱", "Storage Box", 4990, "件", "-", "colour"),
        ("防滑衣架", "Non-slip Hangers", 1990, "袋", "-", "colour"),
    )),
    _cat("STA", "文具", "Stationery", 1300, (
        ("中性笔", "Gel Pen", 290, "件", "count", "colour"),
        ("笔记本", "Notebook", 890, "件", "-", "-"),
        ("A4复印纸", "A4 Copy Paper", 2990, "件", "ream", "-"),
    )),
    _cat("BOO", "图书", "Books & Magazines", 900, (
        ("家常菜谱", "Home Cooking Recipes", 3980, "件", "-", "-"),
        ("儿童绘本", "Picture Book", 2980, "件", "-", "-"),
    )),
    _cat("APP", "家电", "Small Appliances", 1300, (
        ("电水壶", "Electric Kettle", 12900, "件", "-", "appliance"),
        ("电饭煲", "Rice Cooker", 29900, "件", "-", "appliance"),
        ("吹风机", "Hair Dryer", 15900, "件", "-", "appliance"),
        ("豆浆机", "Soy Milk Maker", 39900, "件", "-", "appliance"),
    )),
    _cat("DIG", "数码配件", "Electronics Accessories", 1300, (
        ("USB-C数据线", "USB-C Cable", 2990, "件", "-", "-"),
        ("快充充电器", "Fast Charger", 5990, "件", "-", "-"),
        ("充电宝", "Power Bank", 12900, "件", "-", "-"),
        ("5号电池", "AA Batteries", 1990, "盒", "-", "-"),
    )),
    _cat("TOY", "玩具", "Toys", 1300, (
        ("拼装积木", "Building Blocks", 9900, "盒", "-", "-"),
        ("毛绒玩具", "Plush Toy", 5900, "件", "-", "-"),
        ("拼图", "Jigsaw Puzzle", 3990, "盒", "-", "-"),
    )),
    _cat("DEL", "熟食", "Deli", 1300, (
        ("卤鸭脖", "Braised Duck Neck", 2590, "盒", "-", "spicy"),
        ("烤鸡", "Roast Chicken", 3990, "件", "-", "-"),
        ("酱牛肉", "Braised Beef", 4990, "盒", "-", "spicy"),
    )),
)

# Invented brands: two-syllable Chinese names read as pinyin, plus a few Western-style ones.
_FIRST = (
    ("金", "Jin"), ("福", "Fu"), ("康", "Kang"), ("鲜", "Xian"), ("田", "Tian"), ("禾", "He"),
    ("悦", "Yue"), ("优", "You"), ("佳", "Jia"), ("润", "Run"), ("盛", "Sheng"), ("瑞", "Rui"),
    ("谷", "Gu"), ("臻", "Zhen"), ("怡", "Yi"),
)
_SECOND = (
    ("源", "yuan"), ("丰", "feng"), ("品", "pin"), ("然", "ran"), ("禧", "xi"), ("享", "xiang"),
    ("庄", "zhuang"), ("泉", "quan"), ("麦", "mai"), ("川", "chuan"),
)
_WESTERN = (
    ("诺德菲", "Nordfield"), ("奥瑞尔", "Aurelle"), ("蓝峰", "Bluecrest"), ("维朗", "Verano"),
    ("莱茵谷", "Rhinevale"), ("凯伦", "Kellen"), ("贝芙", "Bevie"), ("安索", "Ansor"),
    ("露米娜", "Lumina"), ("柯林斯", "Corlins"),
)
# fmt: on
_AVOID = {"怡泉", "金麦", "优品", "臻品", "福禧"}  # existing trademarks or bland words


def _build_brands() -> tuple[DemoBrand, ...]:
    names = [("邻家优选", "Linjia Select")]  # the chain's own label, in every category
    names += [
        (a_zh + b_zh, a_en + b_en)
        for a_zh, a_en in _FIRST
        for b_zh, b_en in _SECOND
        if a_zh + b_zh not in _AVOID
    ]
    names += list(_WESTERN)
    return tuple(DemoBrand(f"B{i:03d}", zh, en) for i, (zh, en) in enumerate(names))


_BRANDS = _build_brands()
_CATEGORIES = tuple(spec.category for spec in _SPECS)
# Each category is served by the house brand plus about five others, dealt round-robin.
_BRAND_POOLS: tuple[tuple[int, ...], ...] = tuple(
    (0, *range(1 + c, len(_BRANDS), len(_SPECS))) for c in range(len(_SPECS))
)


class _Offer(NamedTuple):
    """One sellable form of an item: descriptor, variant and size, without the brand."""

    label_zh: str
    label_en: str
    base_fen: int  # before the brand's premium; per kg for weighed items
    unit: str


def _label(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _packaged_offers(spec: _CategorySpec) -> tuple[_Offer, ...]:
    return tuple(
        _Offer(_label(zh, v_zh, s_zh), _label(en, v_en, s_en), base * pct // 100, unit)
        for zh, en, base, unit, size_key, variant_key in spec.items
        for v_zh, v_en in _VARIANTS[variant_key]
        for s_zh, s_en, pct in _SIZES[size_key]
    )


def _weighed_offers(spec: _CategorySpec) -> tuple[_Offer, ...]:
    return tuple(
        _Offer(_label(zh, _LOOSE[0]), _label(en, _LOOSE[1]), per_kg, "kg")
        for zh, en, per_kg in spec.weighed
    )


# Built once: generating a product then costs a handful of random draws, not string work.
_PACKAGED = tuple(_packaged_offers(spec) for spec in _SPECS)
_WEIGHED = tuple(_weighed_offers(spec) for spec in _SPECS)
_FRESH = tuple(i for i, spec in enumerate(_SPECS) if spec.weighed)


def categories() -> tuple[DemoCategory, ...]:
    """The demo categories, in a fixed order."""
    return _CATEGORIES


def brands() -> tuple[DemoBrand, ...]:
    """The demo brands, in a fixed order; `B000` is the chain's own label."""
    return _BRANDS


# --- generation ----------------------------------------------------------------------


def _company_prefix(slot: int) -> str:
    """A distinct 7-digit GS1 China company prefix (690-695 + 4 digits) for each slot."""
    if slot >= _GS1_CHINA_PREFIXES * 10_000:
        raise ValueError("the demo catalog ran out of company prefixes")
    firm = (slot // _GS1_CHINA_PREFIXES * 3037 + 1234) % 10_000  # 3037 is coprime with 10**4
    return f"{690 + slot % _GS1_CHINA_PREFIXES}{firm:04d}"


def _pick(rng: random.Random, choices: Sequence[_T]) -> _T:
    """`rng.choice`, several times faster; matters at 200,000 products."""
    return choices[int(rng.random() * len(choices))]


_SMALL_ENDINGS = (90, 90, 80, 50)  # under 10 yuan: 3.90, 4.80, 2.50
_MIDDLE_ENDINGS = (90, 90, 80, 0)  # under 100 yuan: 23.90, 23.80, 23.00
_LARGE_ENDINGS = (900, 900, 800, 990)  # from 100 yuan: 129.00, 128.00, 129.90


def _price_point(raw: int, rng: random.Random) -> int:
    """Snap a raw price in fen to a shelf price point."""
    if raw < 1_000:
        return raw // 100 * 100 + _pick(rng, _SMALL_ENDINGS)
    if raw < 10_000:
        return raw // 100 * 100 + _pick(rng, _MIDDLE_ENDINGS)
    return raw // 1_000 * 1_000 + _pick(rng, _LARGE_ENDINGS)


def generate_catalog(count: int, seed: int = 2026) -> Iterator[DemoProduct]:
    """Stream `count` demo products, the same ones for the same seed."""
    if count < 0:
        raise ValueError("count must not be negative")
    return _products(count, seed)  # checked now, generated lazily


def _products(count: int, seed: int) -> Iterator[DemoProduct]:
    rng = random.Random(seed)
    ref_offset = rng.randrange(_ITEM_REF_SPACE)
    issued = [0] * len(_BRANDS)  # barcodes issued so far, per brand
    plu_count = 0
    for n in range(1, count + 1):
        weighed = rng.random() < WEIGHED_SHARE
        spec_index = _pick(rng, _FRESH) if weighed else int(rng.random() * len(_SPECS))
        offer = _pick(rng, _WEIGHED[spec_index] if weighed else _PACKAGED[spec_index])
        brand_index = _pick(rng, _BRAND_POOLS[spec_index])
        brand = _BRANDS[brand_index]
        if weighed:
            plu_count += 1
            barcode = _scale_plu_key(plu_count)
            raw_price = offer.base_fen * rng.randint(85, 125) // 100
        else:
            number = issued[brand_index]
            issued[brand_index] += 1
            barcode = _ean13(brand_index, number, ref_offset)
            # The chain's own label undercuts the branded goods.
            premium = rng.randint(75, 95) if brand_index == 0 else rng.randint(90, 150)
            raw_price = offer.base_fen * premium // 100
        yield DemoProduct(
            sku=f"P{n:06d}",
            name_zh=f"{brand.name_zh} {offer.label_zh}",
            name_en=f"{brand.name_en} {offer.label_en}",
            category_code=_CATEGORIES[spec_index].code,
            brand_code=brand.code,
            barcode=barcode,
            unit=offer.unit,
            price_fen=_price_point(raw_price, rng),
            weighed=weighed,
        )


def _ean13(brand_index: int, number: int, offset: int) -> str:
    """The brand's `number`-th EAN-13: company prefix + scrambled item reference + check."""
    block, item = divmod(number, _ITEM_REF_SPACE)
    item_ref = (item * _ITEM_REF_STRIDE + offset + brand_index * 4241) % _ITEM_REF_SPACE
    prefix = _company_prefix(brand_index + block * len(_BRANDS))
    return with_check_digit(f"{prefix}{item_ref:05d}")


def _scale_plu_key(plu: int) -> str:
    """The catalog key a scale label for PLU `plu` resolves to ("21" + 5 digits)."""
    if plu >= 10**WEIGHED_RULE.item_digits:
        raise ValueError("the demo catalog ran out of scale PLU numbers")
    return weighed_item_lookup(WEIGHED_RULE, f"{plu:0{WEIGHED_RULE.item_digits}d}")


def store_price_overrides(
    products: Iterable[DemoProduct],
    store_codes: Sequence[str],
    fraction: float = 0.03,
    seed: int = 2026,
) -> Iterator[StorePrice]:
    """Stream store-specific prices for about `fraction` of `products`.

    A chosen product gets a price 5-15% above or below the chain price, rounded to
    10 fen, in one or more of the stores.
    """
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    return _overrides(products, store_codes, fraction, seed)


def _overrides(
    products: Iterable[DemoProduct], store_codes: Sequence[str], fraction: float, seed: int
) -> Iterator[StorePrice]:
    if not store_codes:
        return
    rng = random.Random(seed)
    for product in products:
        if rng.random() >= fraction:
            continue
        chosen = sorted(rng.sample(range(len(store_codes)), rng.randint(1, len(store_codes))))
        for index in chosen:
            change = rng.randint(5, 15) * rng.choice((-1, 1))
            price = round_half_up(Fraction(product.price_fen * (100 + change), 1_000)) * 10
            if price > 0 and price != product.price_fen:
                yield StorePrice(product.sku, store_codes[index], price)
