"""A booth's hourly report as a PNG: four small bar charts an exhibitor reads at a glance (Pillow, no plot library).

Panels: visits (with unique visitors as a darker inner bar), median dwell,
kiosk opens + favourites + messages, meetings + intents. Labels are bilingual
and drawn with the fair's Noto Sans SC subset.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from server.match.analytics import HourRow

FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "NotoSansSC-Pavilion.otf"
W, PANEL_H, PAD = 960, 200, 48
PANELS = (
    ("访问 visits / 独立访客 unique", ("visits", "unique_visitors"), ("#9fc5e8", "#2e86c1")),
    ("停留中位数 median dwell (s)", ("median_dwell_s",), ("#f6b26b",)),
    ("展台打开 kiosk · 收藏 favourites · 留言 messages", ("kiosk_opens", "favourites", "messages"),
     ("#93c47d", "#e06666", "#8e7cc3")),
    ("洽谈 meetings · 意向 intents", ("meetings", "intents"), ("#45818e", "#c27ba0")),
)


def draw(booth: str, rows: list[HourRow], path: Path) -> None:
    """Write the chart of ``rows`` (by hour, Beijing time) to ``path``."""
    title_font = ImageFont.truetype(str(FONT), 22)
    font = ImageFont.truetype(str(FONT), 14)
    img = Image.new("RGB", (W, 60 + PANEL_H * len(PANELS)), "#ffffff")
    d = ImageDraw.Draw(img)
    d.text((PAD, 16), f"展位 {booth} 每小时数据 · hourly report (北京时间 Beijing time)", fill="#222222",
           font=title_font)
    n = max(1, len(rows))
    for p, (label, keys, colours) in enumerate(PANELS):
        top = 60 + p * PANEL_H
        base = top + PANEL_H - 40
        d.text((PAD, top + 4), label, fill="#333333", font=font)
        d.line((PAD, base, W - PAD, base), fill="#999999")
        peak = max([getattr(r, k) for r in rows for k in keys] + [1])
        d.text((PAD - 40, top + 24), f"{peak:g}", fill="#666666", font=font)
        slot = (W - 2 * PAD) / n
        width = max(2.0, slot * 0.8 / len(keys))
        for i, r in enumerate(rows):
            x0 = PAD + i * slot + slot * 0.1
            for j, (k, colour) in enumerate(zip(keys, colours, strict=True)):
                h = (base - top - 30) * getattr(r, k) / peak
                d.rectangle((x0 + j * width, base - h, x0 + (j + 1) * width - 1, base), fill=colour)
            if n <= 24 or i % max(1, n // 12) == 0:
                d.text((x0, base + 4), r.hour[-5:], fill="#666666", font=font)
    if not rows:
        d.text((W // 2 - 120, 60 + PANEL_H), "还没有数据 no data yet", fill="#999999", font=title_font)
    img.save(path)
