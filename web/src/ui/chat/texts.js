// The chat panels' words, 中文 first with English (as client/social/texts.py), and the protocol's names.
import PROTOCOL from "../../net/protocol.json" with { type: "json" };
import { errorText } from "../../net/codec.js";
import { el, getLang } from "../texts.js";

export const CHAT_TEXTS = {
  chat: ["聊天", "Chat"],
  chat_title: ["聊天 · Chat", "Chat · 聊天"],
  nearby: ["附近", "Nearby"],
  hall: ["展馆", "Hall"],
  inbox: ["消息", "Messages"],
  nearby_empty: ["附近还没有人说话。打个招呼吧！", "Nobody nearby has spoken yet. Say hello!"],
  hall_empty: ["展馆频道还没有消息", "Nothing said in this hall yet"],
  nearby_hint: ["24 米内的人能看到", "People within 24 m see it"],
  hall_hint: ["整个展馆的人都能看到（每 5 秒一条）", "Everyone in this hall sees it (one line every 5 s)"],
  inbox_empty: ["还没有对话。点一位访客发私信，或在展位点“联系展位”。", "No conversations yet. Tap a visitor to message them, or Message the booth at a booth."],
  type_here: ["输入消息…", "Type a message…"],
  send: ["发送", "Send"],
  sending: ["发送中…", "sending…"],
  back: ["‹ 消息", "‹ Messages"],
  older: ["更早的消息…", "Older messages…"],
  unread: ["条未读", "unread"],
  direct: ["私信", "Direct"],
  booth: ["展位", "Booth"],
  about: ["洽谈事项：", "About: "],
  you: ["我", "me"],
  muted: ["你已被主办方禁言，暂时不能发言", "An organiser has muted you for now"],
  message: ["发私信", "Message"],
  block: ["屏蔽", "Block"],
  unblock: ["取消屏蔽", "Unblock"],
  report: ["举报", "Report"],
  report_note: ["举报原因（会连同你看到的最近几条消息一起交给主办方）", "Why (sent to the organisers with the last lines you saw)"],
  report_send: ["提交举报", "Send report"],
  reported: ["已举报，主办方会尽快处理。谢谢！", "Reported. The organisers will look at it soon. Thank you!"],
  blocked_note: ["已屏蔽：你不会再看到对方的发言和消息", "Blocked: you will not see their lines or messages"],
  card_loading: ["正在读取名片…", "Loading their card…"],
  team: ["团队", "team"],
  org: ["机构", "Organisation"],
  role: ["身份", "Role"],
  region: ["地区", "Region"],
  interests: ["关注", "Interests"],
  message_booth: ["联系展位", "Message the booth"],
  favourite: ["收藏", "Favourite"],
  favourited: ["已收藏", "Favourited"],
  book_booth: ["预约洽谈", "Book a meeting"],
  chat_keys: ["回车 聊天 · I 消息 · Esc 关闭", "Enter: chat · I: messages · Esc: close"],
};

export const ROLE_NAMES = { person: ["个人", "Individual"], company: ["企业", "Company"], foundation: ["基金会", "Foundation"],
  ngo: ["社会组织", "Social organisation"], media: ["媒体", "Media"] };
export const FIELD_NAMES = {
  rural: ["乡村振兴", "Rural revival"], education: ["教育助学", "Education"], elderly: ["养老助老", "Elderly care"],
  relief: ["应急救灾", "Disaster relief"], health: ["医疗健康", "Health"], children: ["儿童关爱", "Children"],
  environment: ["生态环保", "Environment"], culture: ["文化传承", "Culture"], goods: ["好物出山", "Goods"],
  scenery: ["百县百景", "Scenery"], service: ["志愿服务", "Volunteering"],
};

const pickPair = (pair, lang = getLang()) => pair[lang === "en" ? 1 : 0];
/** A chat text in the visitor's language. */
export const ct = (key, lang) => pickPair(CHAT_TEXTS[key], lang);
/** A protocol name pair ([zh, en]) or the raw value, in the visitor's language. */
export const named = (table, key, lang) => (table[key] ? pickPair(table[key], lang) : key);
/** The server's error table (protocol/errors.py, via protocol.json) in the visitor's language, now. */
export const errorLine = (code, lang = getLang()) => errorText(code, lang);
export const hasError = (code) => Boolean(PROTOCOL.errors[code]);
/** A label in the visitor's language with the other language small beside it (the looks panel's way). */
export function both(pair, lang = getLang()) {
  const [first, second] = lang === "en" ? [pair[1], pair[0]] : pair;
  return [el("span", {}, first), el("small.other", {}, second)];
}
