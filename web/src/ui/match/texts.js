// The 云对接 panel's words, 中文 first with English (as client/match/texts.py).
import { getLang } from "../texts.js";

export const MATCH_TEXTS = {
  match: ["云对接", "Match"],
  title: ["云对接 · Matchmaking", "Matchmaking · 云对接"],
  recs: ["为你推荐", "For you"],
  meetings: ["我的洽谈", "My meetings"],
  offers: ["适合你的需求的资源", "Offers that fit your needs"],
  needs: ["你的资源可以支持的项目", "Projects your offer can support"],
  book: ["预约洽谈", "Book"],
  book_with: ["预约洽谈 · ", "Book a meeting · "],
  free_slots: ["可预约时段（北京时间，每场 30 分钟）", "Free slots (Beijing time, 30 minutes each)"],
  no_slots: ["暂无可预约时段", "No free slots"],
  no_recs: ["暂时没有推荐。逛逛展位，或在资料里填写关注领域。", "Nothing to recommend yet. Visit some booths, or set your interests."],
  no_meetings: ["还没有洽谈。在“为你推荐”或展位上点“预约洽谈”。", "No meetings yet. Press Book on a recommendation or at a booth."],
  requested: ["等待回复", "awaiting an answer"],
  waiting_me: ["请你回复", "your answer"],
  accepted: ["已确认", "confirmed"],
  declined: ["已婉拒", "declined"],
  cancelled: ["已取消", "cancelled"],
  accept: ["接受", "Accept"],
  decline: ["婉拒", "Decline"],
  cancel: ["取消", "Cancel"],
  thread: ["对话", "Chat"],
  enter_room: ["进入洽谈室", "Enter the room"],
  leave_room: ["离开洽谈室，回到序厅", "Leave the room for the lobby"],
  due: ["洽谈时间到了：", "Your meeting starts: "],
  asking: ["正在预约…", "Booking…"],
  loading: ["正在加载…", "Loading…"],
  funder: ["资助方", "funder"],
  visitor: ["访客", "visitor"],
  kind_funds: ["资金", "funding"],
  kind_goods: ["物资", "supplies"],
  kind_volunteers: ["志愿者", "volunteers"],
  kind_channels: ["销售渠道", "sales channels"],
  kind_skills: ["技术/培训", "skills & training"],
  keys: ["R 为你推荐 · B 我的洽谈 · Esc 关闭", "R: for you · B: my meetings · Esc: close"],
};

/** A 云对接 text in the visitor's language. */
export const mt = (key, lang = getLang()) => MATCH_TEXTS[key][lang === "en" ? 1 : 0];
