# ruff: noqa: RUF001 - Chinese text takes full-width punctuation, which is correct there
"""What demo customers write: review titles and bodies by mood, in English and Chinese, and the shop's replies.

`{product}` is the product's short name. Templates are combined (an opening and a detail), so a few dozen
lines give a few hundred distinct reviews.
"""

from __future__ import annotations

POSITIVE, MIXED, NEGATIVE = "positive", "mixed", "negative"

TITLES = {
    ("en", POSITIVE): ["Lovely", "Will buy again", "My new favourite", "Excellent quality", "Beautiful aroma",
                       "Worth every cent", "Smooth and sweet"],
    ("en", MIXED): ["Decent", "Good, not great", "Fine for everyday", "OK but pricey"],
    ("en", NEGATIVE): ["Disappointed", "Not as described", "Stale", "Arrived damaged"],
    ("zh", POSITIVE): ["非常好喝", "会回购", "香气很棒", "品质很好", "物超所值"],
    ("zh", MIXED): ["还可以", "中规中矩", "一般般"],
    ("zh", NEGATIVE): ["失望", "和描述不符", "不新鲜", "包装破损"],
}  # fmt: skip

OPENINGS = {
    ("en", POSITIVE): [
        "The {product} is wonderful.",
        "Second bag of the {product} and it is just as good as the first.",
        "Bought the {product} as a treat and I am so glad I did.",
        "Really impressed with the {product}.",
    ],
    ("en", MIXED): [
        "The {product} is decent.",
        "The {product} was fine, if not quite what I hoped for.",
        "Mixed feelings about the {product}.",
    ],
    ("en", NEGATIVE): [
        "Sadly the {product} did not work for me.",
        "The {product} was a letdown.",
        "I expected much more from the {product}.",
    ],
    ("zh", POSITIVE): ["{product}非常好。", "第二次买{product}了，品质一如既往。", "{product}很惊艳。"],
    ("zh", MIXED): ["{product}还行。", "{product}中规中矩。"],
    ("zh", NEGATIVE): ["{product}让我很失望。", "{product}和期待的差距很大。"],
}

DETAILS = {
    ("en", POSITIVE): [
        "Fragrant, smooth, and it holds up over several steeps.",
        "Packaging was beautiful and it arrived two days early.",
        "A gentle sweetness lingers long after each cup.",
        "Great value for the quality; my whole family loves it.",
        "Brews a clear, golden cup with no bitterness at all.",
    ],
    ("en", MIXED): [
        "Flavour is pleasant but a little flat after the second steep.",
        "Good quality, though I found it a bit expensive for the size.",
        "Shipping took longer than expected, the tea itself is fine.",
    ],
    ("en", NEGATIVE): [
        "The leaves were mostly broken and the taste was dull.",
        "The tin arrived dented and the seal was open.",
        "Tasted stale, as if it had been on a shelf for years.",
        "It took three weeks to arrive and nobody answered my emails.",
    ],
    ("zh", POSITIVE): ["汤色清亮，回甘明显，耐泡。", "包装精美，物流也很快。", "香气高扬，家人都很喜欢。"],
    ("zh", MIXED): ["味道还可以，就是价格偏高。", "第二泡之后味道就淡了。"],
    ("zh", NEGATIVE): ["茶叶很碎，味道寡淡。", "收到时包装破了，密封也开了。", "物流太慢，客服也不回复。"],
}

REPLIES = {
    ("en", NEGATIVE): [
        "We are very sorry to hear this. We have sent you a replacement and a note on how to store it.",
        "Thank you for telling us. Our team has been in touch by email to put this right.",
    ],
    ("en", POSITIVE): [
        "Thank you so much! We are delighted you enjoy it.",
        "So glad it arrived safely. Enjoy!",
    ],
    ("en", MIXED): ["Thanks for the honest feedback. Try a slightly cooler steep for more sweetness."],
    ("zh", NEGATIVE): ["非常抱歉给您带来不好的体验，我们已为您补发新品。"],
    ("zh", POSITIVE): ["谢谢您的喜欢，欢迎再次光临！"],
    ("zh", MIXED): ["感谢您的反馈，我们会继续改进。"],
}

QUESTIONS = [
    ("en", "How many times can the leaves be steeped?",
     "Usually four to six short steeps; the second and third are often the best.", "Five steeps for me, easily."),
    ("en", "Can I cold-brew this?",
     "Yes: 10 g in a litre of cold water, in the fridge for 8 to 12 hours.", "I do it every summer, works well."),
    ("en", "Is it organic?",
     "Our growers farm without synthetic pesticides; the garden is not certified organic.", None),
    ("en", "How should I store it once opened?",
     "Keep it sealed, cool, dark and away from strong smells; use within three months.", None),
    ("zh", "水温多少度合适？", "建议85到90度，第一泡可以稍短。", "我用90度，味道很好。"),
    ("zh", "保质期多久？", "未开封可保存18个月，开封后建议三个月内喝完。", None),
]  # fmt: skip
