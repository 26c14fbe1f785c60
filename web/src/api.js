// window.pavilion: what browser automation (and curious visitors) may read. The interface the issue
// names is state() -> {connected, hall, me: {x, y}, others: [{id, name, x, y}]}; the rest is for tests
// and benchmarks (pixel positions, draw calls, frame times).
export function exposeApi(app) {
  window.pavilion = {
    state() {
      const me = app.player && app.joined ? { x: app.player.x, y: app.player.y, yaw: app.player.yaw, look: app.crowd?.people.get("me")?.look ?? null } : null;
      return {
        connected: app.conn?.online ?? false,
        hall: app.joined ? app.hall?.id ?? null : null,
        me,
        others: app.crowd
          ? app.crowd.others().map(([id, p]) => ({ id, name: p.name, x: p.drawn.x, y: p.drawn.y, color: p.hex, seated: Boolean(p.drawn.seated), look: p.look,
            screen: app.crowd.bodyOnScreen(id, app.stage.camera, app.stage.width, app.stage.height) }))
          : [],
        panel: document.querySelector(".panel")?.dataset.panel ?? null,
        status: app.conn?.status.link ?? "starting",
      };
    },
    stats() {
      const info = app.stage?.renderer.info;
      return { drawCalls: info?.render.calls ?? 0, triangles: info?.render.triangles ?? 0, frames: app.frameTimes.slice(),
        firstHallMs: app.firstHallMs, marks: app.marks, booths: app.booths?.stats,
        boothModels: app.boothModels?.report() ?? {}, boothVideo: app.stage ? app.boothVideo?.report(app.stage.camera, app.stage.width, app.stage.height) ?? null : null };
    },
    openBooth: (id) => app.openBooth(id),
    walkTo: (x, y) => app.walkTo(x, y),
    face: (yaw) => app.face(yaw),
    directory: (q) => app.directory.open(q),
    journal: () => app.journal.open(),
    looks: () => app.looks?.toggle(),
    map: (on) => app.toggleMap(on),
    lang: (l) => app.setLang(l),
    boothScreen: (id) => app.boothScreen(id),
    manifest: (id) => app.booths?.manifest(id) ?? null,
    seat: () => app.seats?.report(app.player) ?? null,
    sit: () => app.seats?.toggle(app.player),
    chat: (view) => app.chatPanel?.open(view),
    match: (view) => app.matchPanel?.open(view),
    people: () => (app.chat ? { me: app.chat.me?.pid ?? null, unread: app.chat.unread, pending: app.chat.pending.size,
      favourites: [...app.chat.favourites], blocks: [...app.chat.blocks], openConv: app.chat.openConv,
      convs: app.chat.inbox().map((c) => ({ id: c.id, kind: c.kind, title: c.title, unread: c.unread, booth: c.booth })),
      meetings: [...app.match.meetings.values()], inRoom: app.match.inRoom } : null),
  };
}
