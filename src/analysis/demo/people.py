"""Synthetic Chinese personal names (no real person is meant)."""

from __future__ import annotations

import numpy as np

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = tuple(
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰"
    "涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦"
    "亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳"
)


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` names: a surname and one or two given-name characters."""
    surname = rng.choice(SURNAMES, size=n)
    first = rng.choice(GIVEN, size=n)
    second = np.where(rng.random(n) < 0.7, rng.choice(GIVEN, size=n), "")
    return np.array([a + b + c for a, b, c in zip(surname, first, second)], dtype=object)


def untidy(values: np.ndarray, rng: np.random.Generator, p: float = 0.06) -> np.ndarray:
    """Names as typed: a space or an ideographic space inside, or stray spaces around."""
    values = np.asarray(values, dtype=object).copy()
    for i in np.flatnonzero(rng.random(len(values)) < p):
        v, k = values[i], int(rng.integers(0, 4))
        values[i] = (v[0] + " " + v[1:], v[0] + "\u3000" + v[1:], f" {v}", f"{v}  ")[k]
    return values
