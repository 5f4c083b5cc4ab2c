"""Names for demo customers, written for the demo: English names, and Chinese names with their pinyin.

Pinyin is kept beside each Chinese name so a customer called 王芳 can have the address wangfang12@….
"""

from __future__ import annotations

ENGLISH_GIVEN = (
    "Olivia", "Emma", "Amelia", "Sophia", "Charlotte", "Mia", "Harper", "Evelyn", "Abigail", "Emily",
    "Ella", "Grace", "Chloe", "Lily", "Hannah", "Zoe", "Nora", "Ruby", "Alice", "Isla",
    "Liam", "Noah", "Oliver", "James", "Elijah", "William", "Henry", "Lucas", "Benjamin", "Theodore",
    "Jack", "Leo", "Samuel", "Daniel", "Owen", "Ethan", "Isaac", "Thomas", "Arthur", "George",
    "Maya", "Priya", "Sofia", "Lucia", "Aisha", "Naomi", "Leah", "Sarah", "Rachel", "Anna",
    "David", "Michael", "Joseph", "Matthew", "Adam", "Ryan", "Nathan", "Gabriel", "Max", "Felix",
)  # fmt: skip

ENGLISH_FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker",
    "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards",
    "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Patel", "Nguyen",
    "Kim", "Garcia", "Rossi", "Schmidt", "Dubois", "Novak", "Silva", "Hughes", "Price", "Bennett",
)  # fmt: skip

# (hanzi, pinyin) for the commonest surnames, roughly in order of frequency.
CHINESE_FAMILY = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
    ("高", "Gao"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
    ("彭", "Peng"), ("曾", "Zeng"), ("萧", "Xiao"), ("田", "Tian"), ("董", "Dong"), ("潘", "Pan"),
)  # fmt: skip

CHINESE_GIVEN = (
    ("芳", "Fang"), ("伟", "Wei"), ("娜", "Na"), ("静", "Jing"), ("敏", "Min"), ("磊", "Lei"),
    ("洋", "Yang"), ("艳", "Yan"), ("勇", "Yong"), ("杰", "Jie"), ("婷", "Ting"), ("强", "Qiang"),
    ("雪", "Xue"), ("琳", "Lin"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("秀英", "Xiuying"),
    ("桂英", "Guiying"), ("建华", "Jianhua"), ("志强", "Zhiqiang"), ("晓燕", "Xiaoyan"), ("海燕", "Haiyan"),
    ("俊杰", "Junjie"), ("子轩", "Zixuan"), ("欣怡", "Xinyi"), ("梓涵", "Zihan"), ("浩然", "Haoran"),
    ("雨桐", "Yutong"), ("宇航", "Yuhang"), ("思远", "Siyuan"), ("佳怡", "Jiayi"), ("一鸣", "Yiming"),
    ("婉清", "Wanqing"), ("文博", "Wenbo"), ("嘉欣", "Jiaxin"), ("天佑", "Tianyou"), ("若曦", "Ruoxi"),
    ("梦瑶", "Mengyao"), ("博文", "Bowen"), ("晨曦", "Chenxi"), ("春生", "Chunsheng"), ("秋月", "Qiuyue"),
)  # fmt: skip
