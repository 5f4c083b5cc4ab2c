"""The demo shop's catalogue: teas, teaware and gift sets, with prices in cents and a popularity weight."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from goodword.stores.inputs import ProductIn

SHOP_URL = "https://demo-tea.example.com"
CURRENCY = "USD"


class Kind(enum.StrEnum):
    TEA = "tea"
    TEAWARE = "teaware"
    GIFT = "gift"


@dataclass(frozen=True)
class Item:
    sku: str
    title: str
    price_minor: int
    kind: Kind
    popularity: float  # relative share of order lines outside the gifting season

    def product_input(self) -> ProductIn:
        slug = self.sku.lower()
        return ProductIn(
            sku=self.sku,
            title=self.title,
            url=f"{SHOP_URL}/products/{slug}",
            image_url=f"{SHOP_URL}/images/{slug}.jpg",
            price_minor=self.price_minor,
            currency=CURRENCY,
        )


_T, _W, _G = Kind.TEA, Kind.TEAWARE, Kind.GIFT
CATALOGUE = (
    Item("GRN-LONGJING-50", "West Lake Longjing green tea 西湖龙井, 50 g", 2400, _T, 9.0),
    Item("GRN-BILUOCHUN-50", "Biluochun green tea 碧螺春, 50 g", 2200, _T, 5.0),
    Item("GRN-HUANGSHAN-50", "Huangshan Maofeng 黄山毛峰, 50 g", 1900, _T, 4.0),
    Item("GRN-LIUAN-50", "Lu'an Guapian 六安瓜片, 50 g", 2100, _T, 2.0),
    Item("GRN-SENCHA-100", "Shizuoka sencha, 100 g", 1800, _T, 6.0),
    Item("GRN-GYOKURO-50", "Yame gyokuro, 50 g", 3400, _T, 2.5),
    Item("GRN-MATCHA-30", "Ceremonial matcha, 30 g tin", 2900, _T, 8.0),
    Item("GRN-GENMAI-100", "Genmaicha with toasted rice, 100 g", 1200, _T, 4.0),
    Item("GRN-JASMINE-100", "Jasmine pearls 茉莉龙珠, 100 g", 2300, _T, 7.5),
    Item("OOL-TIEGUANYIN-100", "Anxi Tieguanyin oolong 铁观音, 100 g", 2600, _T, 7.0),
    Item("OOL-DAHONGPAO-50", "Wuyi Da Hong Pao rock oolong 大红袍, 50 g", 3200, _T, 5.5),
    Item("OOL-DANCONG-50", "Phoenix Dancong honey orchid 凤凰单丛, 50 g", 2800, _T, 3.5),
    Item("OOL-ALISHAN-100", "Alishan high-mountain oolong 阿里山, 100 g", 3000, _T, 4.5),
    Item("OOL-DONGDING-100", "Dong Ding roasted oolong 冻顶乌龙, 100 g", 2500, _T, 3.0),
    Item("OOL-MILK-100", "Jin Xuan milk oolong 金萱, 100 g", 2000, _T, 6.0),
    Item("OOL-BEAUTY-50", "Oriental Beauty 东方美人, 50 g", 3600, _T, 2.0),
    Item("BLK-KEEMUN-100", "Keemun black tea 祁门红茶, 100 g", 1900, _T, 4.0),
    Item("BLK-DIANHONG-100", "Yunnan Dianhong golden buds 滇红, 100 g", 2200, _T, 5.0),
    Item("BLK-LAPSANG-100", "Lapsang souchong 正山小种, 100 g", 2000, _T, 3.5),
    Item("BLK-ASSAM-250", "Assam breakfast, 250 g", 1600, _T, 6.5),
    Item("BLK-DARJEELING-100", "Darjeeling first flush, 100 g", 2700, _T, 3.0),
    Item("BLK-EARLGREY-100", "Earl Grey with bergamot, 100 g", 1400, _T, 7.0),
    Item("BLK-CHAI-150", "Masala chai blend, 150 g", 1300, _T, 4.5),
    Item("WHT-SILVERNEEDLE-50", "Silver Needle white tea 白毫银针, 50 g", 3800, _T, 2.5),
    Item("WHT-BAIMUDAN-100", "Bai Mu Dan white peony 白牡丹, 100 g", 2400, _T, 3.0),
    Item("WHT-SHOUMEI-CAKE", "Aged Shou Mei cake 寿眉饼, 350 g", 4200, _T, 1.5),
    Item("PUE-SHENG-357", "Menghai raw pu-erh cake 生普, 357 g", 5800, _T, 2.0),
    Item("PUE-SHOU-357", "Ripe pu-erh cake 熟普, 357 g", 4600, _T, 2.5),
    Item("PUE-MINI-TUO", "Mini tuocha ripe pu-erh, 20 pieces", 1800, _T, 3.5),
    Item("HRB-CHRYSANTHEMUM-50", "Hangzhou chrysanthemum buds 杭白菊, 50 g", 1100, _T, 3.0),
    Item("HRB-ROOIBOS-100", "Rooibos vanilla, 100 g", 1200, _T, 3.0),
    Item("HRB-PEPPERMINT-50", "Peppermint leaves, 50 g", 900, _T, 2.5),
    Item("HRB-GOJI-ROSE-80", "Goji and rose bud infusion 枸杞玫瑰, 80 g", 1300, _T, 2.5),
    Item("HRB-CHAMOMILE-50", "Egyptian chamomile, 50 g", 1000, _T, 3.0),
    Item("SMP-OOLONG-5", "Oolong sampler, five 10 g pouches", 1500, _T, 5.0),
    Item("SMP-GREEN-5", "Green tea sampler, five 10 g pouches", 1400, _T, 4.0),
    Item("WARE-GAIWAN-WHITE", "Porcelain gaiwan 盖碗, 150 ml", 2400, _W, 3.5),
    Item("WARE-GAIWAN-CELADON", "Celadon gaiwan 青瓷盖碗, 120 ml", 3200, _W, 2.0),
    Item("WARE-YIXING-ZHUNI", "Yixing zhuni clay teapot 紫砂壶, 180 ml", 12800, _W, 1.2),
    Item("WARE-YIXING-DUANNI", "Yixing duanni clay teapot, 220 ml", 9800, _W, 1.0),
    Item("WARE-KYUSU", "Tokoname kyusu side-handle pot, 300 ml", 6800, _W, 1.2),
    Item("WARE-GLASS-POT", "Borosilicate glass teapot with infuser, 600 ml", 3400, _W, 3.0),
    Item("WARE-CUPS-4", "Four porcelain tasting cups 品茗杯", 1800, _W, 3.0),
    Item("WARE-CHAHAI", "Glass fairness pitcher 公道杯, 250 ml", 1600, _W, 2.0),
    Item("WARE-TRAY-BAMBOO", "Bamboo gongfu tea tray 茶盘", 5400, _W, 1.0),
    Item("WARE-TOOLS-6", "Six-piece bamboo tea tool set", 1500, _W, 1.5),
    Item("WARE-STRAINER", "Stainless tea strainer", 700, _W, 2.5),
    Item("WARE-KETTLE", "Variable-temperature electric kettle", 8900, _W, 1.5),
    Item("WARE-CHASEN", "Bamboo matcha whisk 茶筅, 100 prongs", 2200, _W, 2.0),
    Item("WARE-MATCHA-BOWL", "Matcha bowl 抹茶碗", 3800, _W, 1.2),
    Item("WARE-TRAVEL-SET", "Travel gongfu set in a canvas case", 4200, _W, 1.5),
    Item("WARE-CADDY-TIN", "Airtight tea caddy, 150 g", 1200, _W, 2.5),
    Item("WARE-BOTTLE", "Cold-brew tea bottle, 500 ml", 2600, _W, 2.0),
    Item("GIFT-DISCOVERY", "Discovery gift box: six classic teas 经典六茶礼盒", 4800, _G, 1.5),
    Item("GIFT-OOLONG-LUX", "Rock oolong collector's box 岩茶礼盒", 8800, _G, 0.6),
    Item("GIFT-GONGFU-STARTER", "Gongfu starter gift set: gaiwan, cups and two teas", 6800, _G, 1.0),
    Item("GIFT-MATCHA-SET", "Matcha gift set: bowl, whisk and tin", 7200, _G, 0.8),
    Item("GIFT-ADVENT", "Tea advent calendar, 24 pouches", 3900, _G, 0.5),
    Item("GIFT-NEWYEAR", "Lunar New Year tea hamper 新春茶礼", 9800, _G, 0.5),
    Item("GIFT-CARD-50", "Gift card, $50", 5000, _G, 0.8),
)
