// sangam-sim browser report: draws one run from the data embedded in this page (no network).
// Data layout: src/html/data.rs. Colours follow the 3D view's palette (src/viz/palette.rs).
"use strict";
(function () {
  const body = document.body;
  let errors = 0;
  window.addEventListener("error", function () {
    errors += 1;
    body.dataset.errors = String(errors);
  });

  const D = JSON.parse(document.getElementById("run-data").textContent);
  const R = D.report;
  const S = D.scene;
  const $ = (id) => document.getElementById(id);
  const dpr = window.devicePixelRatio || 1;
  const COLOURS = {
    automated: "#70d1c7", human: "#ca774c", pedestrian: "#f0d84a", rsu: "#40d9ff", gnb: "#b388ff",
    road: "#575655", lane: "#c9c9c9", busLane: "#2673f2", building: "#9d9b9b", buildingEdge: "#6f6d6d",
    lost: "#ff544d", mark: "#ff2bd6", select: "#ffffff",
    event: "#40d9ff", warning: "#ffbf33", collision: "#ff544d", fault: "#b388ff", fail: "#ff2bd6",
  };

  function el(tag, attrs, kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const k of kids || []) e.appendChild(k);
    return e;
  }
  const fmt = (v, d) => (v === null || v === undefined) ? "–" : Number(v).toFixed(d);
  function undelta(a, scale) {
    const o = new Float64Array(a.length);
    let s = 0;
    for (let i = 0; i < a.length; i++) { s += a[i]; o[i] = s * scale; }
    return o;
  }

  // Latency colour, as the 3D view: green at or below 10 ms, through yellow, red at or above 100 ms.
  function latencyColour(ms, alpha) {
    const x = Math.min(1, Math.max(0, Math.log10(Math.max(ms, 1e-3)) - 1));
    let c;
    if (x < 0.5) { const k = x * 2; c = [0.2 + 0.8 * k, 0.95, 0.3 * (1 - k)]; }
    else { const k = (x - 0.5) * 2; c = [1, 0.95 * (1 - k) + 0.15 * k, 0.1 * k]; }
    return "rgba(" + c.map((v) => Math.round(v * 255)).join(",") + "," + alpha + ")";
  }

  // ---- the run, decoded -------------------------------------------------------------------
  const tracks = D.tracks.map((t) => ({
    id: t.id, kind: t.kind, auto: t.auto, len: t.len, wid: t.wid, first: t.first,
    n: t.x.length, x: undelta(t.x, 0.1), y: undelta(t.y, 0.1), h: t.h, v: t.v, g: t.g,
  }));
  const byId = new Map(tracks.map((t) => [t.id, t]));
  const A = D.arcs;
  const arcT = undelta(A.t, 0.001);
  const arcOrder = Array.from(arcT.keys()).sort((a, b) => arcT[a] - arcT[b] || a - b);
  const duration = R.sim_time_s;

  // Where a road user is at time t (linear between samples), or null when not on the map.
  function pose(tr, t) {
    // A road user that appeared within the period before its first sample is drawn there.
    let u = t / D.period - tr.first;
    if (u >= -1 && u < 0) u = 0;
    if (u < 0 || u > tr.n - 1 + 1e-9) return null;
    const i = Math.min(Math.floor(u), Math.max(tr.n - 2, 0));
    const j = Math.min(i + 1, tr.n - 1);
    const f = j === i ? 0 : Math.min(1, u - i);
    const dh = ((tr.h[j] - tr.h[i] + 540) % 360) - 180;
    return {
      x: tr.x[i] + (tr.x[j] - tr.x[i]) * f,
      y: tr.y[i] + (tr.y[j] - tr.y[i]) * f,
      h: tr.h[i] + dh * f,
      v: (tr.v[i] + (tr.v[j] - tr.v[i]) * f) / 10,
      g: tr.g[i] < 0 ? null : tr.g[i] / 10,
    };
  }

  // ---- state ------------------------------------------------------------------------------
  const st = {
    t: 0, playing: false, speed: 5, sel: null, marker: -1,
    layers: { roads: true, buildings: true, coverage: true, arcs: true, labels: true },
    cx: (S.bounds[0] + S.bounds[2]) / 2, cy: (S.bounds[1] + S.bounds[3]) / 2, scale: 1,
  };
  const map = $("map");
  const ctx = map.getContext("2d");

  function fit() {
    const w = map.clientWidth, h = map.clientHeight;
    const bw = Math.max(S.bounds[2] - S.bounds[0], 20), bh = Math.max(S.bounds[3] - S.bounds[1], 20);
    st.scale = Math.min(w / (bw * 1.08), h / (bh * 1.08));
    st.cx = (S.bounds[0] + S.bounds[2]) / 2;
    st.cy = (S.bounds[1] + S.bounds[3]) / 2;
  }
  // Frame the action: the busiest part of the run (markers' road users, else everyone at mid-run).
  function frameOn(points) {
    if (!points.length) return;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of points) { x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y); }
    const w = map.clientWidth, h = map.clientHeight;
    const span = Math.max(x1 - x0, y1 - y0, 120);
    st.scale = Math.min(w, h) / (span * 1.3);
    st.cx = (x0 + x1) / 2;
    st.cy = (y0 + y1) / 2;
  }
  const toScreen = (x, y) => [(x - st.cx) * st.scale + map.clientWidth / 2, map.clientHeight / 2 - (y - st.cy) * st.scale];
  const toWorld = (px, py) => [(px - map.clientWidth / 2) / st.scale + st.cx, (map.clientHeight / 2 - py) / st.scale + st.cy];

  function path(points, close) {
    ctx.beginPath();
    points.forEach((p, i) => { const [x, y] = toScreen(p[0], p[1]); if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
    if (close) ctx.closePath();
  }
  // A polyline moved sideways by `off` m (right of travel positive).
  function offset(points, off) {
    return points.map((p, i) => {
      const a = points[Math.max(i - 1, 0)], b = points[Math.min(i + 1, points.length - 1)];
      const dx = b[0] - a[0], dy = b[1] - a[1], l = Math.hypot(dx, dy) || 1;
      return [p[0] + dy / l * off, p[1] - dx / l * off];
    });
  }
  // Lines between lanes, k lane widths right of the link's centreline (its left edge: lanes lie
  // to its right); a line beside a reserved lane (a bus lane) is solid blue. Line k has lane
  // r.lanes - k on its left and r.lanes - k - 1 on its right (lane 0 is the rightmost).
  const laneLines = S.roads.flatMap((r) => {
    const out = [];
    const reserved = new Set(r.reserved || []);
    for (let k = 1; k < r.lanes; k++) {
      const bus = reserved.has(r.lanes - k) || reserved.has(r.lanes - k - 1);
      out.push({ bus, line: offset(r.center, k * (r.lane_width || S.lane_width)) });
    }
    return out;
  });

  function drawScene() {
    const L = st.layers;
    ctx.lineJoin = "round";
    if (L.coverage) {
      ctx.setLineDash([6, 6]);
      ctx.lineWidth = 1.5;
      for (const [list, colour] of [[S.gnbs, COLOURS.gnb], [S.rsus, COLOURS.rsu]]) {
        ctx.strokeStyle = colour;
        ctx.globalAlpha = 0.45;
        for (const s of list) {
          const [x, y] = toScreen(s.pos[0], s.pos[1]);
          ctx.beginPath(); ctx.arc(x, y, s.radius * st.scale, 0, 2 * Math.PI); ctx.stroke();
        }
      }
      ctx.globalAlpha = 1;
      ctx.setLineDash([]);
    }
    if (L.roads) {
      ctx.strokeStyle = COLOURS.road;
      ctx.lineCap = "round";
      ctx.lineWidth = S.lane_width * st.scale;
      for (const t of S.turns) { path(t); ctx.stroke(); }
      ctx.lineCap = "butt";
      for (const r of S.roads) {
        const w = r.lanes * (r.lane_width || S.lane_width);
        ctx.lineWidth = (w + 0.4) * st.scale;
        path(offset(r.center, w / 2)); ctx.stroke();
      }
      if (st.scale > 1.2) {
        ctx.lineWidth = Math.max(0.15 * st.scale, 0.6);
        ctx.strokeStyle = COLOURS.lane;
        ctx.setLineDash([3 * st.scale, 6 * st.scale]);
        for (const l of laneLines) if (!l.bus) { path(l.line); ctx.stroke(); }
        ctx.strokeStyle = COLOURS.busLane;
        ctx.lineWidth = Math.max(0.3 * st.scale, 2);
        ctx.setLineDash([]);
        for (const l of laneLines) if (l.bus) { path(l.line); ctx.stroke(); }
      }
    }
    if (L.buildings) {
      ctx.fillStyle = COLOURS.building;
      ctx.strokeStyle = COLOURS.buildingEdge;
      ctx.lineWidth = 1;
      for (const b of S.buildings) { path(b.footprint, true); ctx.fill(); ctx.stroke(); }
    }
    for (const [list, colour, sides] of [[S.rsus, COLOURS.rsu, 3], [S.gnbs, COLOURS.gnb, 4]]) {
      ctx.fillStyle = colour;
      for (const s of list) {
        const [x, y] = toScreen(s.pos[0], s.pos[1]);
        ctx.beginPath();
        for (let k = 0; k < sides; k++) {
          const a = -Math.PI / 2 + k * 2 * Math.PI / sides + (sides === 4 ? Math.PI / 4 : 0);
          ctx.lineTo(x + 7 * Math.cos(a), y + 7 * Math.sin(a));
        }
        ctx.closePath(); ctx.fill();
      }
    }
  }

  // Receptions sent in the last second, fading with age; lost ones dashed red with a cross.
  const ARC_LIFE_S = 1.0;
  function drawArcs() {
    if (!st.layers.arcs) return;
    let lo = 0, hi = arcOrder.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (arcT[arcOrder[m]] < st.t - ARC_LIFE_S) lo = m + 1; else hi = m; }
    ctx.lineWidth = 2;
    for (let k = lo; k < arcOrder.length; k++) {
      const i = arcOrder[k];
      const age = st.t - arcT[i];
      if (age < 0) break;
      const alpha = (1 - age / ARC_LIFE_S).toFixed(2);
      const [ax, ay] = toScreen(A.fx[i] / 10, A.fy[i] / 10);
      const [bx, by] = toScreen(A.tx[i] / 10, A.ty[i] / 10);
      const mx = (ax + bx) / 2 - (by - ay) * 0.15, my = (ay + by) / 2 + (bx - ax) * 0.15;
      const lost = A.lat[i] < 0;
      ctx.strokeStyle = lost ? "rgba(255,84,77," + alpha + ")" : latencyColour(A.lat[i] / 100, alpha);
      ctx.setLineDash(lost ? [4, 4] : []);
      ctx.beginPath(); ctx.moveTo(ax, ay); ctx.quadraticCurveTo(mx, my, bx, by); ctx.stroke();
      if (lost) {
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(bx - 4, by - 4); ctx.lineTo(bx + 4, by + 4); ctx.moveTo(bx + 4, by - 4); ctx.lineTo(bx - 4, by + 4);
        ctx.stroke();
      }
    }
    ctx.setLineDash([]);
  }

  // Road users now: bodies to scale, never smaller than 12 × 6 px, so that they stay legible.
  const MIN_LEN_PX = 12, MIN_WID_PX = 6;
  function visible() {
    const out = [];
    for (const tr of tracks) { const p = pose(tr, st.t); if (p) out.push([tr, p]); }
    return out;
  }
  function marked() {
    const m = D.markers[st.marker];
    return m && Math.abs(st.t - m.t) < 3 ? new Set(m.who) : new Set();
  }
  function drawActors(now) {
    const mark = marked();
    for (const [tr, p] of now) {
      const [x, y] = toScreen(p.x, p.y);
      const a = (p.h - 90) * Math.PI / 180;
      ctx.save();
      ctx.translate(x, y);
      ctx.rotate(a);
      ctx.fillStyle = tr.kind === "pedestrian" ? COLOURS.pedestrian : tr.auto ? COLOURS.automated : COLOURS.human;
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 1;
      if (tr.kind === "pedestrian") {
        ctx.beginPath(); ctx.arc(0, 0, Math.max(tr.len * st.scale / 2, 3.5), 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      } else {
        const l = Math.max(tr.len * st.scale, MIN_LEN_PX), w = Math.max(tr.wid * st.scale, MIN_WID_PX);
        ctx.fillRect(-l / 2, -w / 2, l, w); ctx.strokeRect(-l / 2, -w / 2, l, w);
        ctx.fillStyle = "#111"; ctx.fillRect(l / 2 - Math.max(l * 0.18, 2), -w / 2, Math.max(l * 0.18, 2), w);
      }
      ctx.restore();
      const ring = mark.has(tr.id) ? COLOURS.mark : st.sel === tr.id ? COLOURS.select : null;
      if (ring) {
        ctx.strokeStyle = ring; ctx.lineWidth = 4;
        ctx.beginPath(); ctx.arc(x, y, Math.max(tr.len * st.scale, 12) * 0.9 + 6, 0, 2 * Math.PI); ctx.stroke();
      }
      if (st.layers.labels && (ring || st.scale > 3)) {
        ctx.fillStyle = "#fff"; ctx.font = "12px system-ui, sans-serif";
        ctx.fillText(tr.id, x + 10, y - 10);
      }
    }
  }

  function draw() {
    const w = map.clientWidth, h = map.clientHeight;
    if (map.width !== Math.round(w * dpr) || map.height !== Math.round(h * dpr)) {
      map.width = Math.round(w * dpr); map.height = Math.round(h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    drawScene();
    drawArcs();
    drawActors(visible());
    $("clock").textContent = st.t.toFixed(1) + " s / " + duration.toFixed(0) + " s";
    $("scrub").value = String(st.t);
    $("play").textContent = st.playing ? "pause" : "play";
    document.querySelectorAll("#markers li").forEach((li, i) => li.classList.toggle("at", i === st.marker));
    drawSpeed();
    body.dataset.t = st.t.toFixed(1);
    body.dataset.marker = String(st.marker);
  }

  // ---- controls -----------------------------------------------------------------------------
  let last = null;
  function tick(now) {
    if (!st.playing) { last = null; return; }
    if (last !== null) st.t = Math.min(duration, st.t + (now - last) / 1000 * st.speed);
    last = now;
    if (st.t >= duration) st.playing = false;
    draw();
    requestAnimationFrame(tick);
  }
  function play(on) { st.playing = on && st.t < duration; draw(); if (st.playing) requestAnimationFrame(tick); }
  function seek(t) { st.t = Math.min(duration, Math.max(0, t)); draw(); }
  function goMarker(i) {
    const m = D.markers[i];
    if (!m) return;
    st.marker = i; st.playing = false;
    const who = m.who.map((id) => byId.get(id)).filter(Boolean);
    if (who.length) { st.sel = who[0].id; $("who").value = st.sel; }
    const at = who.map((tr) => pose(tr, m.t)).filter(Boolean);
    if (at.length) frameOn(at);
    seek(m.t);
  }

  $("play").onclick = () => play(!st.playing);
  $("speed").onchange = (e) => { st.speed = Number(e.target.value); };
  $("scrub").max = String(duration);
  $("scrub").oninput = (e) => { st.playing = false; st.marker = -1; seek(Number(e.target.value)); };
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName === "SELECT" || e.target.tagName === "INPUT") return;
    const next = (d) => { const t = st.t; const ms = D.markers.map((m, i) => [m.t, i]).filter(([mt]) => d > 0 ? mt > t + 0.05 : mt < t - 0.05); if (ms.length) goMarker((d > 0 ? ms[0] : ms[ms.length - 1])[1]); };
    if (e.key === " ") { play(!st.playing); e.preventDefault(); }
    else if (e.key === "ArrowRight") seek(st.t + (e.shiftKey ? 10 : 1));
    else if (e.key === "ArrowLeft") seek(st.t - (e.shiftKey ? 10 : 1));
    else if (e.key === "]") next(1);
    else if (e.key === "[") next(-1);
    else if (e.key === "f") { fit(); draw(); }
  });

  // Pan by dragging, zoom with the wheel about the cursor, pick by hovering or clicking.
  let drag = null;
  map.addEventListener("mousedown", (e) => { drag = { x: e.offsetX, y: e.offsetY, moved: false }; });
  window.addEventListener("mouseup", (e) => {
    if (drag && !drag.moved && e.target === map) { const hit = pick(e.offsetX, e.offsetY); st.sel = hit ? hit.id : null; if (hit) $("who").value = hit.id; draw(); }
    drag = null;
  });
  map.addEventListener("mousemove", (e) => {
    if (drag) {
      const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      st.cx -= dx / st.scale; st.cy += dy / st.scale; drag.x = e.offsetX; drag.y = e.offsetY;
      draw();
      return;
    }
    const hit = pick(e.offsetX, e.offsetY), tip = $("hover");
    tip.hidden = !hit;
    if (hit) {
      const p = pose(hit, st.t);
      tip.textContent = hit.id + " · " + (hit.kind === "pedestrian" ? "pedestrian" : (hit.auto ? "automated " : "") + hit.kind) + " · " + p.v.toFixed(1) + " m/s";
      tip.style.left = (e.offsetX + 14) + "px"; tip.style.top = (e.offsetY + 10) + "px";
    }
  });
  map.addEventListener("wheel", (e) => {
    e.preventDefault();
    const [wx, wy] = toWorld(e.offsetX, e.offsetY);
    st.scale *= Math.exp(-e.deltaY * 0.0015);
    st.scale = Math.min(200, Math.max(0.02, st.scale));
    const [nx, ny] = toWorld(e.offsetX, e.offsetY);
    st.cx += wx - nx; st.cy += wy - ny;
    draw();
  }, { passive: false });
  // The road user under the cursor: inside its drawn body first, else the nearest within 6 px.
  function pick(px, py) {
    let best = null, bestD = 6;
    for (const [tr, p] of visible()) {
      const [x, y] = toScreen(p.x, p.y);
      const a = (p.h - 90) * Math.PI / 180, c = Math.cos(a), s = Math.sin(a);
      const u = (px - x) * c + (py - y) * s, v = -(px - x) * s + (py - y) * c;
      const hl = Math.max(tr.len * st.scale, MIN_LEN_PX) / 2, hw = Math.max(tr.wid * st.scale, MIN_WID_PX) / 2;
      const d = Math.hypot(Math.max(Math.abs(u) - hl, 0), Math.max(Math.abs(v) - hw, 0));
      const key = d === 0 ? -1 / (1 + Math.hypot(u, v)) : d;
      if (key < bestD) { best = tr; bestD = key; }
    }
    return best;
  }

  // ---- panels -------------------------------------------------------------------------------
  function header() {
    $("title").textContent = R.scenario;
    const v = $("verdict");
    v.textContent = R.passed ? "PASS" : "FAIL";
    v.className = "badge " + (R.passed ? "pass" : "fail");
    $("facts").textContent = R.source + " · seed " + R.seed + " · " + R.sim_time_s + " s simulated · " +
      S.profile + " · " + R.summary.vehicles + (R.summary.vehicles === 1 ? " vehicle" : " vehicles");
    const vt = $("verdicts");
    vt.appendChild(el("tr", {}, ["", "expectation", "measured", "wanted"].map((h) => el("th", { text: h }))));
    for (const x of R.expectations) {
      vt.appendChild(el("tr", {}, [
        el("td", { class: x.passed ? "ok" : "no", text: x.passed ? "pass" : "FAIL" }),
        el("td", { text: x.expectation }), el("td", { text: x.measured }), el("td", { text: x.wanted }),
      ]));
    }
    if (!R.expectations.length) vt.appendChild(el("tr", {}, [el("td", { text: "no expectations" })]));
  }
  function markerList() {
    const ol = $("markers"), ticks = $("ticks");
    D.markers.forEach((m, i) => {
      const li = el("li", { "data-kind": m.kind }, [el("span", { class: "dot", style: "background:" + COLOURS[m.kind] })]);
      li.appendChild(document.createTextNode(m.t.toFixed(1) + " s  " + m.text));
      li.onclick = () => goMarker(i);
      ol.appendChild(li);
      const tick = el("i", { title: m.t.toFixed(1) + " s  " + m.text, style: "left:" + (100 * m.t / Math.max(duration, 1e-9)) + "%;background:" + COLOURS[m.kind] });
      tick.onclick = () => goMarker(i);
      ticks.appendChild(tick);
    });
    if (!D.markers.length) ol.appendChild(el("li", { text: "nothing happened that is marked" }));
  }
  function legend() {
    const lg = $("legend");
    const row = (colour, text, round) => el("div", {}, [el("span", { class: "swatch", style: "background:" + colour + (round ? ";border-radius:50%;width:10px" : "") }), document.createTextNode(text)]);
    lg.appendChild(row(COLOURS.automated, "automated vehicle"));
    lg.appendChild(row(COLOURS.human, "human-driven vehicle"));
    lg.appendChild(row(COLOURS.pedestrian, "pedestrian", true));
    lg.appendChild(row(COLOURS.rsu, "roadside unit (dashed: reach)"));
    lg.appendChild(row(COLOURS.gnb, "5G gNB (dashed: coverage)"));
    lg.appendChild(row("linear-gradient(90deg," + [1, 10, 31.6, 100].map((m) => latencyColour(m, 1)).join(",") + ")", "message arc: latency ≤ 10 ms … ≥ 100 ms"));
    lg.appendChild(row("repeating-linear-gradient(90deg," + COLOURS.lost + " 0 4px, transparent 4px 8px)", "message lost (× at the receiver)"));
    lg.appendChild(row(COLOURS.mark, "road user of the chosen timeline mark"));
    const types = R.v2x.by_type.map((m) => m.msg + " " + m.tech).join(", ");
    if (types) lg.appendChild(el("div", { text: "Messages in this run: " + types }));
    lg.appendChild(el("div", { text: "Arcs: " + A.t.length + " of " + D.receptions + " receptions in range; event messages first, then an even sample, at most " + D.arcs_per_window + " per " + D.arc_window_s + " s." }));
    const layers = $("layers");
    for (const k of Object.keys(st.layers)) {
      const box = el("input", { type: "checkbox", id: "layer-" + k });
      box.checked = st.layers[k];
      box.onchange = () => { st.layers[k] = box.checked; draw(); };
      layers.appendChild(el("label", {}, [box, document.createTextNode(" " + k)]));
    }
  }
  function tables() {
    const w = $("warnings");
    w.appendChild(el("tr", {}, ["vehicle", "hazard", "message", "received", "lead time"].map((h) => el("th", { text: h }))));
    R.warnings.forEach((x) => {
      const tr = el("tr", {}, [el("td", { text: x.vehicle }), el("td", { text: x.hazard }), el("td", { text: x.kind.toUpperCase() }),
        el("td", { class: "num", text: fmt(x.received_s, 2) + " s" }), el("td", { class: "num", text: x.lead_time_s === null ? "–" : fmt(x.lead_time_s, 2) + " s" })]);
      tr.style.cursor = "pointer";
      tr.onclick = () => { const i = D.markers.findIndex((m) => m.kind === "warning" && m.t === x.received_s && m.who[0] === x.vehicle); if (i >= 0) goMarker(i); };
      w.appendChild(tr);
    });
    if (!R.warnings.length) w.appendChild(el("tr", {}, [el("td", { text: "no hazard warnings" })]));
    const m = $("messages");
    m.appendChild(el("tr", {}, ["message", "tech", "sent", "receptions", "delivered", "PDR", "p50 ms", "p95 ms", "age ms"].map((h) => el("th", { text: h }))));
    for (const x of R.v2x.by_type) {
      const l = x.latency_ms || {};
      m.appendChild(el("tr", {}, [x.msg, x.tech].map((t) => el("td", { text: t })).concat(
        [x.sent, x.attempts, x.delivered, fmt(x.delivery_ratio, 3), fmt(l.p50, 2), fmt(l.p95, 2), fmt(x.mean_age_ms, 1)].map((t) => el("td", { class: "num", text: String(t) })))));
    }
    $("foot").textContent = "sangam-sim " + R.version + " · step " + R.step_s + " s · report.json holds every figure on this page.";
  }

  // ---- plots (hand-written canvas: four small charts did not need a library) ----------------
  const PALETTE = ["#40d9ff", "#ffbf33", "#4de673", "#ff544d", "#b388ff", "#f0d84a", "#ff8ad8", "#9ad0ff", "#c0ff8a", "#ffa36b"];
  function canvas2d(id) {
    const c = $(id), w = c.clientWidth, h = c.clientHeight;
    c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
    const g = c.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.font = "11px system-ui, sans-serif";
    return [g, w, h];
  }
  // Axes with ticks; returns the mapping from data to pixels.
  function axes(g, w, h, xr, yr, xlabel, logx, noY) {
    const L = 46, B = 26, T = 8, Rr = 10;
    const fx = logx ? (v) => L + (Math.log10(v) - Math.log10(xr[0])) / (Math.log10(xr[1]) - Math.log10(xr[0])) * (w - L - Rr)
      : (v) => L + (v - xr[0]) / (xr[1] - xr[0] || 1) * (w - L - Rr);
    const fy = (v) => h - B - (v - yr[0]) / (yr[1] - yr[0] || 1) * (h - B - T);
    g.strokeStyle = "#2a3648"; g.fillStyle = "#8594a8"; g.lineWidth = 1;
    const xt = logx ? [0.1, 1, 10, 100, 1000, 10000].filter((v) => v >= xr[0] && v <= xr[1]) : niceTicks(xr);
    for (const v of xt) { const x = fx(v); g.beginPath(); g.moveTo(x, T); g.lineTo(x, h - B); g.stroke(); g.fillText(String(v), x - 8, h - B + 13); }
    for (const v of noY ? [] : niceTicks(yr)) { const y = fy(v); g.beginPath(); g.moveTo(L, y); g.lineTo(w - Rr, y); g.stroke(); g.fillText(String(v), 4, y + 4); }
    g.fillText(xlabel, w - Rr - g.measureText(xlabel).width, h - 2);
    return [fx, fy];
  }
  function niceTicks(r) {
    const span = r[1] - r[0] || 1, step0 = span / 5, mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => span / s <= 6);
    const out = [];
    for (let v = Math.ceil(r[0] / step) * step; v <= r[1] + 1e-9; v += step) out.push(Number(v.toPrecision(6)));
    return out;
  }
  function latencyPlot() {
    const rows = R.v2x.by_type.filter((m) => m.latency_ms);
    const [g, w, h] = canvas2d("latency");
    if (!rows.length) { g.fillStyle = "#8594a8"; g.fillText("no message was delivered", 50, 40); return; }
    const hi = Math.max(...rows.map((m) => m.latency_ms.max)) * 1.2;
    const [fx] = axes(g, w, h, [0.1, Math.max(hi, 1)], [0, 1], "ms", true, true);
    const band = (h - 34) / rows.length;
    rows.forEach((m, i) => {
      const l = m.latency_ms, y = 8 + i * band, bh = Math.max(band * 0.6, 3);
      g.fillStyle = "#2c4a63"; g.fillRect(fx(0.1), y, fx(Math.max(l.p50, 0.1)) - fx(0.1), bh);
      g.fillStyle = latencyColour(l.p95, 1); g.fillRect(fx(Math.max(l.p95, 0.1)) - 1, y, 3, bh);
      g.fillStyle = "#ff8ad8"; g.fillRect(fx(Math.max(l.p99, 0.1)) - 1, y, 3, bh);
      g.fillStyle = "#dbe2ec"; g.beginPath(); g.arc(fx(Math.max(l.max, 0.1)), y + bh / 2, 3, 0, 2 * Math.PI); g.fill();
      g.fillText(m.msg + " " + m.tech, fx(Math.max(l.max, 0.1)) + 6 > w - 80 ? 50 : fx(Math.max(l.max, 0.1)) + 6, y + bh / 2 + 4);
    });
  }
  // Distance bins (50 m, drawn at their middle) with fewer attempts than this are left out.
  const PDR_MIN_ATTEMPTS = 20;
  function pdrPlot() {
    const rows = R.v2x.by_type.filter((m) => m.pdr_by_distance.some((b) => b[1] >= PDR_MIN_ATTEMPTS));
    const [g, w, h] = canvas2d("pdr");
    const xmax = Math.max(100, ...rows.flatMap((m) => m.pdr_by_distance.filter((b) => b[1] >= PDR_MIN_ATTEMPTS).map((b) => b[0])));
    const [fx, fy] = axes(g, w, h, [0, xmax], [0, 1], "distance, m", false);
    rows.forEach((m, i) => {
      g.strokeStyle = PALETTE[i % PALETTE.length]; g.lineWidth = 2; g.beginPath();
      let started = false;
      for (const [d, n, ok] of m.pdr_by_distance) {
        if (n < PDR_MIN_ATTEMPTS) continue;
        const x = fx(d + 25), y = fy(ok / n);
        if (started) g.lineTo(x, y); else { g.moveTo(x, y); started = true; }
      }
      g.stroke();
      g.fillStyle = g.strokeStyle; g.fillText(m.msg + " " + m.tech, w - 90, 16 + 13 * i);
    });
  }
  function series(tr, f) {
    const out = [];
    for (let i = 0; i < tr.n; i++) out.push([(tr.first + i) * D.period, f(i)]);
    return out;
  }
  function linePlot(id, pts, ymax, ylabel) {
    const [g, w, h] = canvas2d(id);
    const [fx, fy] = axes(g, w, h, [0, duration], [0, ymax], ylabel, false);
    g.strokeStyle = "#40d9ff"; g.lineWidth = 1.5; g.beginPath();
    let pen = false;
    for (const [t, v] of pts) {
      if (v === null) { pen = false; continue; }
      if (pen) g.lineTo(fx(t), fy(Math.min(v, ymax))); else { g.moveTo(fx(t), fy(Math.min(v, ymax))); pen = true; }
    }
    g.stroke();
    g.strokeStyle = "#ff2bd6"; g.beginPath(); g.moveTo(fx(st.t), 8); g.lineTo(fx(st.t), h - 26); g.stroke();
  }
  function drawSpeed() {
    const tr = byId.get($("who").value);
    if (!tr) return;
    const speed = series(tr, (i) => tr.v[i] / 10);
    const vmax = Math.max(5, ...speed.map((p) => p[1])) * 1.1;
    linePlot("speedplot", speed, vmax, "s");
    const hw = series(tr, (i) => tr.g[i] < 0 || tr.v[i] < 5 ? null : tr.g[i] / tr.v[i]);
    linePlot("headway", hw, 6, "s (above 6 s drawn at 6)");
  }
  function vehiclePicker() {
    const sel = $("who");
    const vehicles = tracks.filter((t) => t.kind !== "pedestrian");
    for (const t of vehicles) sel.appendChild(el("option", { value: t.id, text: t.id }));
    const warned = R.warnings.map((x) => x.vehicle).find((id) => byId.has(id));
    const first = warned || (vehicles.find((t) => t.auto) || vehicles[0] || {}).id;
    if (first) sel.value = first;
    sel.onchange = () => { st.sel = sel.value; draw(); };
  }

  // ---- start --------------------------------------------------------------------------------
  header(); markerList(); legend(); tables(); vehiclePicker();
  fit();
  // Open framed on the scenario's action (src/replay/framing.rs); `f` shows the whole map.
  if (S.focus) {
    const [[fx, fy], r] = S.focus;
    frameOn([{ x: fx - r, y: fy - r }, { x: fx + r, y: fy + r }]);
  }
  latencyPlot(); pdrPlot();
  window.addEventListener("resize", () => { latencyPlot(); pdrPlot(); draw(); });
  // `#t=SECONDS` opens at that time; `#marker=N` (or `#marker=warning`, the first of a kind) as a
  // click on that timeline mark does.
  const hash = new URLSearchParams(location.hash.slice(1));
  const mk = hash.get("marker");
  if (mk !== null) {
    const i = /^\d+$/.test(mk) ? Number(mk) : D.markers.findIndex((m) => m.kind === mk);
    goMarker(i);
  } else if (hash.get("t") !== null) seek(Number(hash.get("t")));
  else draw();
  body.dataset.ready = "1";
})();
