// The 益起解密 journal: the puzzles, the open step's clue, an answer box and hints, driven by the
// puzzle messages (client/journal/ on the desktop). Answers are checked only by the server.
import { openPanel, currentPanel } from "../panel.js";
import { el, pick, t } from "../texts.js";

export class Journal {
  constructor(send) {
    this.send = send;
    this.items = null;
    this.state = null;
    this.result = null;
  }

  open() {
    this.send("puzzle_list");
    this.render();
  }

  onMessage(type, f) {
    if (type === "puzzles") this.items = f.items;
    else if (type === "puzzle_state") this.state = f;
    else if (type === "puzzle_result") this.result = f;
    else return;
    if (currentPanel()?.dataset.panel === "journal") this.render();
  }

  render() {
    const body = [];
    if (this.items) {
      body.push(el("ul.puzzles", {}, this.items.map((p) => el("li", {},
        el("b", {}, pick(p.title)), el("span", {}, `${p.solved}/${p.steps}`),
        el("button", { type: "button", "data-puzzle": p.id, onclick: () => this.send("puzzle_start", { puzzle: p.id }) }, t("start"))))));
    } else {
      body.push(el("p.loading", {}, t("loading")));
    }
    const s = this.state;
    if (s) {
      body.push(el("h3", {}, pick(s.title)), el("p.story", {}, pick(s.story)));
      for (const step of s.steps) {
        const open = !step.solved;
        body.push(el(`div.step${open ? ".open" : ".done"}`, {},
          el("div.step-head", {}, `${t("step")} ${step.n + 1} ${step.solved ? "✓" : ""}`),
          el("p", {}, pick(step.clue)),
          step.hints.map((h) => el("p.hint", {}, `💡 ${pick(h)}`)),
          open ? this._answerBox(s.puzzle, step) : null));
      }
      if (s.finale) body.push(el("p.finale", {}, `${t("finished")} ${pick(s.finale.message)}`));
    }
    openPanel("journal", t("puzzles"), body);
  }

  _answerBox(puzzle, step) {
    const input = el("input.answer", { type: "text", maxlength: 64, "aria-label": t("answer") });
    const submit = () => input.value.trim() && this.send("puzzle_answer", { puzzle, step: step.n, answer: input.value.trim().slice(0, 64) });
    input.addEventListener("keydown", (e) => e.key === "Enter" && submit());
    const r = this.result && this.result.puzzle === puzzle && this.result.step === step.n ? this.result : null;
    return el("div.answer-row", {}, input,
      el("button", { type: "button", onclick: submit }, t("answer")),
      step.hints_left > 0 ? el("button", { type: "button", onclick: () => this.send("puzzle_hint", { puzzle, step: step.n }) }, t("hint")) : null,
      r ? el(`div.result${r.ok ? ".ok" : ".no"}`, {}, r.ok ? t("right") : `${t("wrong")} (${t("tries_left")} ${r.tries_left})`) : null);
  }
}
