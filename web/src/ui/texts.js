// Every visitor-facing word of the web client, in 中文 and English (Chinese first).
export const TEXTS = {
  title: ["云展馆", "Cloud Pavilion"],
  connecting: ["正在连接服务器…", "Connecting to the server…"],
  cannot_connect: ["无法连接服务器", "Cannot reach the server"],
  retry_in: ["秒后重试", "s until the next try"],
  other_origin: ["只能连接本站的服务器", "This page may only connect to its own server"],
  lost: ["连接中断，正在重连…", "Connection lost, reconnecting…"],
  world_failed: ["展馆资料加载失败", "Could not load the fair"],
  no_webgl: ["这个浏览器无法显示 3D 画面（WebGL 不可用）", "This browser cannot show 3D (WebGL is not available)"],
  visitors: ["人在馆内", "here"],
  directory: ["目录", "Directory"],
  map: ["地图", "Map"],
  journal: ["解密", "Puzzles"],
  looks: ["形象", "Look"],
  looks_title: ["我的形象 · Appearance", "Appearance · 我的形象"],
  look_note: ["点一下就换上，大家都能看到 · F7 或 Esc 关闭", "Tap to wear it; everyone sees it · F7 or Esc to close"],
  look_sending: ["正在换装…", "Changing…"],
  lang: ["EN", "中文"],
  close: ["关闭", "Close"],
  search_hint: ["搜索展位、机构、好物…", "Search booths, institutions, products…"],
  no_hits: ["没有找到", "Nothing found"],
  teleport: ["前往", "Go"],
  institution: ["机构", "Institution"],
  projects: ["公益项目", "Projects"],
  products: ["好物出山", "Products"],
  contact: ["联系方式", "Contact"],
  loading: ["加载中…", "Loading…"],
  open_booth: ["查看展位", "Open booth"],
  puzzles: ["益起解密", "Decoding game"],
  start: ["开始", "Start"],
  answer: ["回答", "Answer"],
  hint: ["提示", "Hint"],
  right: ["答对了！", "Correct!"],
  wrong: ["不对，再想想", "Not quite, try again"],
  tries_left: ["剩余次数", "tries left"],
  finished: ["全部解开！", "All solved!"],
  step: ["第", "Step"],
  help_keys: ["W/S/↑/↓ 行走 · A/D 侧移 · ←/→ 转身 · 拖动视角 · E 或点击展位查看", "W/S/↑/↓ walk · A/D step · ←/→ turn · drag to look · E or click a booth"],
  go_hall: ["前往展馆", "Go to a hall"],
  rooms: ["云会议中心 · 会场", "Conference centre · rooms"],
  now_on: ["正在进行：", "Now: "],
  next_on: ["下一场：", "Next, "],
  ended: ["已结束：", "Ended: "],
  no_session: ["暂无会议", "no session scheduled"],
  go: ["前往", "Go"],
  booth_video: ["展位视频", "Booth video"],
  sit_seat: ["入座（X）", "Take this seat (X)"],
  sit_stand: ["站到这里（X）", "Stand here (X)"],
  seated: ["起身（X 或走动）", "Get up (X or walk)"],
  help_touch: ["左下摇杆行走 · 拖动屏幕转视角 · 点击展位查看", "Joystick to walk · drag to look · tap a booth"],
};

let lang = "zh";
export const getLang = () => lang;
export const setLang = (l) => {
  lang = l === "en" ? "en" : "zh";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
};
/** The text for ``key`` in the current language. */
export const t = (key) => TEXTS[key][lang === "zh" ? 0 : 1];
/** A {zh, en} pair from the server, in the current language. */
export const pick = (pair) => (pair ? pair[lang] || pair.zh : "");

/** A small DOM helper: el("div.cls", {attrs}, ...children). No innerHTML: server text is untrusted. */
export function el(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const node = document.createElement(tag || "div");
  if (classes.length) node.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}
