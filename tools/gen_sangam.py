#!/usr/bin/env python3
"""Generate the Sangam map fragment and the shared hidden-pedestrian world (Python 3.11, stdlib only).

    python3 tools/gen_sangam.py            # writes into scenarios/
    python3 tools/gen_sangam.py --check    # also prints geometry facts used by the scenarios
    python3 tools/gen_sangam.py --out DIR  # writes into DIR instead (tests/generated_scenarios.rs
                                           # compares that with the committed files)

Outputs (all committed, so a checkout needs no Python):
    scenarios/common/sangam-map.ron              the Sangam DMC map (fragment)
    scenarios/common/hidden-pedestrian-world.ron the shared world of the hidden-pedestrian twins
(scenarios/grid-8x8.ron is written by `sangam-sim bench --emit-library`, Rust code beside the
benchmark grid's builder in src/runner/.)

Hand-written scenarios (sangam-dmc, glosa-..., bus-loop, ...) refer to ids made here; change
ids only together with them. What is sourced and what is assumed: docs/sangam.md.

Conventions (match src/road/network.rs): x east, y north, metres; origin at the Digital Media
City intersection; a link with n lanes occupies n x 3.5 m to the right of its centreline
(right-hand traffic); links are trimmed by the node radius at both ends, and vehicle / stop /
pedestrian positions count from the trimmed start.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "scenarios"
LANE_W = 3.5
SETBACK = 10.0  # building face to carriageway edge, m (assumed)


# ----------------------------------------------------------------------------- RON helpers
def f(x: float) -> str:
    x = round(float(x), 2)
    if x == 0:
        x = 0.0
    s = repr(x)
    return s if ("." in s or "e" in s) else s + ".0"


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pt(p) -> str:
    return f"({f(p[0])}, {f(p[1])})"


def strlist(xs) -> str:
    return "[" + ", ".join(q(x) for x in xs) + "]"


# ----------------------------------------------------------------------------- the Sangam map
# Roads: code -> (display name, lanes per direction, speed limit km/h, positive-direction letter,
# negative-direction letter). Lane counts: World Cup-buk-ro 4 + 4 = 8 (sourced); others assumed.
ROADS = {
    "wcb": ("World Cup-buk-ro", 4, 50, "e", "w"),
    "wcr": ("World Cup-ro", 3, 50, "e", "w"),
    "sgm": ("Seongam-ro", 2, 50, "e", "w"),
    "dms": ("Digital Media Street", 1, 30, "e", "w"),
    "sus": ("Susaek-ro", 3, 50, "n", "s"),
    "ssr": ("Sangamsan-ro", 2, 50, "n", "s"),
    "mbs": ("Maebongsan-ro", 2, 50, "n", "s"),
    "gyd": ("Gayang-daero", 3, 50, "n", "s"),
    "wpr": ("World Cup Park 2-4 Complex road (name not sourced)", 2, 50, "n", "s"),
    "w4g": ("World Cup Park 4 Complex access (name not sourced)", 1, 30, "e", "w"),
    "hgr": ("Haneulgongwon-ro", 2, 40, "n", "s"),
}
# Per-segment speed overrides: the school zone by Sangam Elementary School (30 km/h, Korean
# school-zone rule; the zone's exact extent is assumed).
SPEED_OVERRIDE = {("ssr", 1): 30}

# Nodes: id -> (x, y, radius). Junction boxes 15 m on World Cup-buk-ro (its half-width is 14 m),
# 12 m elsewhere; 0 at map edges.
NODES = {
    # World Cup-buk-ro, y = 0: DMC intersection -> 6-danji = 1.1 km (sourced length)
    "wcb_west_end": (-1400, 0, 0),
    "wcp6": (-1100, 0, 15),
    "wcp7": (-750, 0, 15),
    "sangam_es": (-400, 0, 15),
    "dmc": (0, 0, 15),
    "wcb_east_end": (400, 0, 0),
    # Seongam-ro, y = 650 (a World Cup-buk-ro detour: parallel, north side)
    "gayang_seongam": (-1100, 650, 12),
    "police": (-750, 650, 12),
    "mbc": (-400, 650, 12),
    "seongam3": (0, 650, 12),
    # Digital Media Street, y = 300 (its 815 m east-west leg, stylised as 750 m)
    "savoy": (-750, 300, 12),
    "sbs": (-400, 300, 12),
    "dms_east": (0, 300, 12),
    # World Cup-ro, y = -600 (the other detour: parallel, south side)
    "wcp207": (-1100, -600, 12),
    "wcp407": (-750, -600, 12),
    "wcp5": (-400, -600, 12),
    "wcp2": (0, -600, 12),
    "wcr_east_end": (400, -600, 0),
    # ends of the north-south roads
    "susaek_north_end": (0, 950, 0),
    "gayang_north_end": (-1100, 950, 0),
    "wcp4": (0, -300, 12),
    "wcp4_gate": (-250, -300, 0),
    "haneul_park": (-800, -780, 0),
}

# Haneulgongwon-ro: east-west towards Haneul Park, then a right-angle bend (radius BEND_R) up to
# World Cup-ro. Positive direction ("n") runs from haneul_park west, round the bend, north.
BEND_R = 40.0
BEND_C = (-1100 + BEND_R, -740.0)  # arc centre; the straight x = -1100 ends at y = -740


def bend_shape() -> list[tuple[float, float]]:
    """Intermediate points of hgr_n_1 (haneul_park -> wcp207): end of the east-west straight,
    the arc every 7.5 degrees, start of the north-south straight."""
    pts = []
    for i in range(0, 13):
        a = math.radians(270 - 7.5 * i)  # 270 deg (south of centre) -> 180 deg (west of centre)
        pts.append((BEND_C[0] + BEND_R * math.cos(a), BEND_C[1] + BEND_R * math.sin(a)))
    return pts


# Segments: (road, k, from node, to node, shape in the positive direction). k counts west->east
# or south->north; both directions of a segment share k: wcb_e_4 = sangam_es -> dmc,
# wcb_w_4 = dmc -> sangam_es.
SEGMENTS = [
    ("wcb", 1, "wcb_west_end", "wcp6", []),
    ("wcb", 2, "wcp6", "wcp7", []),
    ("wcb", 3, "wcp7", "sangam_es", []),
    ("wcb", 4, "sangam_es", "dmc", []),
    ("wcb", 5, "dmc", "wcb_east_end", []),
    ("sgm", 1, "gayang_seongam", "police", []),
    ("sgm", 2, "police", "mbc", []),
    ("sgm", 3, "mbc", "seongam3", []),
    ("dms", 1, "savoy", "sbs", []),
    ("dms", 2, "sbs", "dms_east", []),
    ("wcr", 1, "wcp207", "wcp407", []),
    ("wcr", 2, "wcp407", "wcp5", []),
    ("wcr", 3, "wcp5", "wcp2", []),
    ("wcr", 4, "wcp2", "wcr_east_end", []),
    ("sus", 1, "dmc", "dms_east", []),
    ("sus", 2, "dms_east", "seongam3", []),
    ("sus", 3, "seongam3", "susaek_north_end", []),
    ("wpr", 1, "wcp2", "wcp4", []),
    ("wpr", 2, "wcp4", "dmc", []),
    ("ssr", 1, "wcp5", "sangam_es", []),
    ("ssr", 2, "sangam_es", "sbs", []),
    ("ssr", 3, "sbs", "mbc", []),
    ("mbs", 1, "wcp407", "wcp7", []),
    ("mbs", 2, "wcp7", "savoy", []),
    ("mbs", 3, "savoy", "police", []),
    ("gyd", 1, "wcp207", "wcp6", []),
    ("gyd", 2, "wcp6", "gayang_seongam", []),
    ("gyd", 3, "gayang_seongam", "gayang_north_end", []),
    ("w4g", 1, "wcp4_gate", "wcp4", []),
    ("hgr", 1, "haneul_park", "wcp207", "BEND"),
]

# Signalised junctions: node, name (as in the 2021 SPaT data where known), SPaT id or None,
# offset s, phases [(road, direction of travel of the incoming link, green s)].
# Split phasing: one phase per incoming approach, so no two green links ever cross (routes decide
# turns, and a phase is per link, not per movement). Amber 3 s + all-red 2 s after every phase.
# World Cup-buk-ro: common 150 s cycle, offsets for an eastbound (towards DMC) green wave at
# 50 km/h: 350 m = 25 s, 400 m = 29 s. World Cup-ro likewise with its 120 s cycle.
SIGNALS = [
    ("wcp6", "World Cup Park 6 Complex intersection", None, 0,
     [("wcb", "e", 45), ("wcb", "w", 45), ("gyd", "n", 20), ("gyd", "s", 20)]),
    ("wcp7", "World Cup Park 7 Complex intersection", None, 25,
     [("wcb", "e", 45), ("wcb", "w", 45), ("mbs", "n", 20), ("mbs", "s", 20)]),
    ("sangam_es", "Sangam Elementary School intersection", 3610, 50,
     [("wcb", "e", 45), ("wcb", "w", 45), ("ssr", "n", 20), ("ssr", "s", 20)]),
    ("dmc", "Digital Media City intersection", 3600, 79,
     [("wcb", "e", 45), ("wcb", "w", 45), ("wpr", "n", 20), ("sus", "s", 20)]),
    ("wcp207", "World Cup Park 207-dong intersection", None, 0,
     [("wcr", "w", 40), ("gyd", "s", 35), ("hgr", "n", 30)]),
    ("wcp407", "407 World Cup Park intersection", None, 25,
     [("wcr", "e", 40), ("wcr", "w", 40), ("mbs", "s", 25)]),
    ("wcp5", "World Cup Park 5 Complex intersection", 3599, 50,
     [("wcr", "e", 40), ("wcr", "w", 40), ("ssr", "s", 25)]),
    ("wcp2", "World Cup Park 2 Complex intersection", 3608, 79,
     [("wcr", "e", 40), ("wcr", "w", 40), ("wpr", "s", 25)]),
    ("wcp4", "World Cup Park 4 Complex intersection", 3602, 0,
     [("wpr", "n", 35), ("wpr", "s", 35), ("w4g", "e", 15)]),
    ("police", "Sangam Police Station intersection", None, 0,
     [("sgm", "e", 35), ("sgm", "w", 35), ("mbs", "n", 20)]),
    ("mbc", "Sangam MBC intersection", 3185, 25,
     [("sgm", "e", 35), ("sgm", "w", 35), ("ssr", "n", 20)]),
    ("seongam3", "Seongam three-way junction", None, 0,
     [("sus", "s", 35), ("sus", "n", 35), ("sgm", "e", 25)]),
    ("sbs", "Sangam SBS intersection", None, 0,
     [("ssr", "n", 30), ("ssr", "s", 30), ("dms", "e", 20), ("dms", "w", 20)]),
    ("savoy", "Sangam Savoy City DMC intersection", None, 0,
     [("mbs", "n", 30), ("mbs", "s", 30), ("dms", "w", 20)]),
]
# Priority junctions (unsignalised): node, name, major roads.
PRIORITY = [
    ("dms_east", "Digital Media Street / Susaek-ro", ["sus"]),
    ("gayang_seongam", "Seongam-ro / Gayang-daero", ["gyd"]),
]

# Buildings: (id, centre, size, height m) boxes, or (id, polygon, height). Heights: sourced
# floors x ~4 m (assumed), capped at 85 m; positions assumed (see docs/sangam.md).
BUILDINGS = [
    # DMC office blocks north of World Cup-buk-ro
    ("S-Plex Center tower A (21 floors)", (-60, 75), (60, 60), 84),
    ("S-Plex Center tower B (17 floors)", (-60, 165), (60, 50), 68),
    ("Nuri Dream Square A (22 floors)", (-300, 65), (50, 40), 85),
    ("Nuri Dream Square B", (-230, 65), (50, 40), 70),
    ("Nuri Dream Square C", (-300, 140), (50, 40), 60),
    ("Nuri Dream Square D", (-230, 140), (50, 40), 50),
    ("Hankook Ilbo tower (15 floors)", (-150, 235), (50, 50), 60),
    ("SBS Prism Tower (17 floors, 82 m cap)", (-340, 360), (60, 60), 82),
    ("YTN (facade 77 m)", (-245, 355), (50, 50), 77),
    ("JTBC (21 floors)", (-130, 360), (50, 50), 84),
    ("DMC office lot (height assumed)", (-70, 470), (60, 60), 60),
    ("MBC Media Center (14 floors)", (-330, 590), (80, 40), 56),
    ("MBC building (14 floors)", (-240, 590), (50, 40), 56),
    ("MBC building (9 floors)", (-330, 500), (60, 50), 36),
    ("KBS Media Center (21 floors)", (-690, 220), (60, 60), 84),
    ("DMC office lot (height assumed)", (-570, 80), (60, 60), 60),
    ("DMC office lot (height assumed)", (-480, 80), (50, 60), 50),
    ("DMC office lot (height assumed)", (-560, 430), (60, 60), 40),
    ("DMC office lot (height assumed)", (-480, 560), (50, 50), 40),
    ("Sangam Savoy City DMC (height assumed)", (-830, 370), (60, 60), 60),
    ("Maebongsan-side block (height assumed)", (-930, 200), (80, 60), 30),
    # World Cup Park apartment slabs south of World Cup-buk-ro (15 floors x 3 m, assumed)
    ("World Cup Park 6 Complex block", (-980, -120), (70, 16), 45),
    ("World Cup Park 6 Complex block", (-980, -260), (70, 16), 45),
    ("World Cup Park 7 Complex block", (-640, -120), (70, 16), 45),
    ("World Cup Park 7 Complex block", (-640, -260), (70, 16), 45),
    ("World Cup Park 7 Complex block", (-640, -420), (70, 16), 45),
    ("Sangam Elementary School (4 floors)", (-480, -130), (60, 20), 16),
    ("World Cup Park 5 Complex block", (-290, -470), (70, 16), 45),
    ("World Cup Park 4 Complex block", (-120, -200), (70, 16), 45),
    ("World Cup Park 4 Complex block", (-120, -420), (70, 16), 45),
    ("World Cup Park 2 Complex block", (100, -470), (70, 16), 45),
    ("World Cup Park 407 block", (-900, -440), (70, 16), 45),
    ("Seoul World Cup Stadium (roof 50 m)", (200, -820), (240, 200), 50),
]


def bend_building():
    """The block on the inside of the Haneulgongwon-ro bend, kept SETBACK from the carriageway:
    straight faces 7 + 10.5 m from the centrelines, rounded corner 17.5 m inside the arc."""
    half = ROADS["hgr"][1] * LANE_W
    margin = SETBACK + 0.5  # half a metre spare so rounding never breaks the setback
    r_in = BEND_R - half - margin
    x0 = -1100 + half + margin
    y0 = -780 + half + margin
    poly = [(x0, -650.0), (x0, BEND_C[1])]
    for i in range(1, 12):
        a = math.radians(180 + 7.5 * i)
        poly.append((BEND_C[0] + r_in * math.cos(a), BEND_C[1] + r_in * math.sin(a)))
    poly += [(BEND_C[0], y0), (-960.0, y0), (-960.0, -650.0)]
    return ("Haneulgongwon-ro bend: building on the inside (assumed, blocks the view)", poly, 25)


# Roadside units: one per signalised junction (assumed: reference says CCTV at every
# intersection). Cameras: (heading deg from east, fov, range).
GNBS = [
    # id, building it stands on (roof height), position, antenna height
    ("gnb_splex", "S-Plex Center tower B", (-60, 165), 71),
    ("gnb_mbc", "MBC building (9 floors)", (-330, 500), 39),
    ("gnb_wcp7", "World Cup Park 7 Complex block", (-640, -260), 48),
    ("gnb_wcp2", "World Cup Park 2 Complex block", (100, -470), 48),
]
CONTROL_CENTRE = (-60, 165)  # Seoul Future Mobility Center, S-Plex Center 1st floor

# The shuttle loop from DMC station (clockwise, right turns only): 2.8 km, 5 stops.
BUS_LOOP = ["wcb_w_4", "wcb_w_3", "mbs_n_2", "mbs_n_3", "sgm_e_2", "sgm_e_3", "sus_s_2", "sus_s_1"]
BUS_STOPS = [  # name, link, position m from the trimmed link start, dwell s
    ("Sangam Elementary School", "wcb_w_3", 85.0, 20.0),
    ("KBS Media Center", "mbs_n_2", 220.0, 20.0),
    ("Sangam MBC", "sgm_e_2", 280.0, 20.0),
    ("Digital Media Street", "sus_s_2", 100.0, 20.0),
    ("DMC Station", "sus_s_1", 200.0, 30.0),
]


class Map:
    def __init__(self):
        self.links = []  # dicts: id, from, to, lanes, speed, shape, name, road, dir
        for road, k, a, b, shape in SEGMENTS:
            name, lanes, speed, pos, neg = ROADS[road]
            speed = SPEED_OVERRIDE.get((road, k), speed)
            sh = bend_shape() if shape == "BEND" else list(shape)
            self.links.append(dict(id=f"{road}_{pos}_{k}", frm=a, to=b, lanes=lanes, speed=speed,
                                   shape=sh, name=name, road=road, dir=pos))
            self.links.append(dict(id=f"{road}_{neg}_{k}", frm=b, to=a, lanes=lanes, speed=speed,
                                   shape=list(reversed(sh)), name=name, road=road, dir=neg))
        self.by_id = {l["id"]: l for l in self.links}

    def polyline(self, lid):
        l = self.by_id[lid]
        a, b = NODES[l["frm"]], NODES[l["to"]]
        return [(a[0], a[1])] + l["shape"] + [(b[0], b[1])]

    def length(self, lid):
        p = self.polyline(lid)
        return sum(math.dist(p[i], p[i + 1]) for i in range(len(p) - 1))

    def trimmed(self, lid):
        l = self.by_id[lid]
        n = self.length(lid)
        return n - min(NODES[l["frm"]][2], 0.45 * n) - min(NODES[l["to"]][2], 0.45 * n)

    def incoming(self, node, road, d):
        xs = [l for l in self.links if l["to"] == node and l["road"] == road and l["dir"] == d]
        assert len(xs) == 1, (node, road, d, xs)
        return xs[0]["id"]

    def half_width(self, node, axis):
        """Largest half-width of the roads at a node along an axis ('ew' or 'ns')."""
        w = 0.0
        for l in self.links:
            if node in (l["frm"], l["to"]) and ((l["dir"] in "ew") == (axis == "ew")):
                w = max(w, l["lanes"] * LANE_W)
        return w

    def point_at(self, lid, s, lateral=0.0):
        """Point at s m from the trimmed start of a link, `lateral` m right of the centreline."""
        p = self.polyline(lid)
        s += min(NODES[self.by_id[lid]["frm"]][2], 0.45 * self.length(lid))
        for i in range(len(p) - 1):
            d = math.dist(p[i], p[i + 1])
            if s <= d or i == len(p) - 2:
                t = s / d
                x = p[i][0] + t * (p[i + 1][0] - p[i][0])
                y = p[i][1] + t * (p[i + 1][1] - p[i][1])
                ux, uy = (p[i + 1][0] - p[i][0]) / d, (p[i + 1][1] - p[i][1]) / d
                return (x + lateral * uy, y - lateral * ux)
            s -= d
        raise ValueError


def emit_map(m: Map) -> str:
    o = []
    o.append("""// The Sangam (Seoul DMC) autonomous-driving testbed: a stylised map in metres.
//
// GENERATED by tools/gen_sangam.py: edit the script, not this file, then rerun it.
// Fragment file: scenarios pull it in with `include: ["common/sangam-map.ron"]`.
//
// x east, y north, origin at the Digital Media City intersection. Streets are axis-aligned: the
// real grid is rotated roughly 40-45 degrees (a weak inference from SPaT signal-group headings),
// and only topology, names and rough distances are kept. Sourced: the road names, World
// Cup-buk-ro's 8 lanes and ~1.1 km from the DMC intersection to the World Cup Park 6-danji
// intersection past Sangam Elementary School and 7-danji, the 14 signalised intersection names,
// the buildings' floor counts, the control centre at S-Plex Center. Assumed: positions, other
// lane counts, signal timings, RSU / gNB sites. Details: docs/sangam.md.
//
// Link ids: <road>_<direction of travel>_<segment>, segments counted west->east or south->north:
//   wcb World Cup-buk-ro (4+4 lanes)   wcr World Cup-ro (3+3)   sgm Seongam-ro (2+2)
//   dms Digital Media Street (1+1, 30 km/h)   sus Susaek-ro (3+3)   ssr Sangamsan-ro (2+2)
//   mbs Maebongsan-ro (2+2)   gyd Gayang-daero (3+3)   hgr Haneulgongwon-ro (2+2, 40 km/h, bend)
//   wpr World Cup Park 2-4 Complex road (2+2)   w4g World Cup Park 4 Complex access (1+1)
// e.g. wcb_e_4 = Sangam Elementary School -> DMC (eastbound), wcb_w_4 the reverse.
//
// Signals: split phasing (one phase per incoming approach, so green links never cross whatever
// the routes turn), amber 3 s + all-red 2 s. World Cup-buk-ro: 150 s cycles with an eastbound
// green wave (offsets 0 / 25 / 50 / 79 s from 6-danji to DMC); World Cup-ro 120 s likewise;
// district junctions 95-120 s, uncoordinated.
(""")
    o.append("    network: (")
    o.append("        nodes: [")
    for nid, (x, y, r) in NODES.items():
        o.append(f"            (id: {q(nid)}, pos: {pt((x, y))}, radius: {f(r)}),")
    o.append("        ],")
    o.append("        links: [")
    for l in m.links:
        extra = ""
        if l["shape"]:
            extra = ", shape: [" + ", ".join(pt(p) for p in l["shape"]) + "]"
        o.append(f"            (id: {q(l['id'])}, from: {q(l['frm'])}, to: {q(l['to'])}, lanes: {l['lanes']}, "
                 f"speed_limit_kmh: {f(l['speed'])}, name: {q(l['name'])}{extra}),")
    o.append("        ],")
    o.append("        junctions: [")
    for node, name, spat, off, phases in SIGNALS:
        cyc = sum(g + 5 for *_, g in phases)
        tag = f"SPaT id {spat}" if spat else "no SPaT id known"
        o.append(f"            // {name}: {tag}; cycle {cyc} s")
        o.append(f"            (id: {q('sig_' + node)}, node: {q(node)}, name: {q(name)}, control: Signal((")
        o.append(f"                offset: {f(off)}, amber: 3.0, all_red: 2.0,")
        o.append("                phases: [")
        for road, d, g in phases:
            lid = m.incoming(node, road, d)
            o.append(f"                    (green: [{q(lid)}], duration: {f(g)}),  // {ROADS[road][0]}")
        o.append("                ],")
        o.append("            ))),")
    for node, name, majors in PRIORITY:
        major = [l["id"] for l in m.links if l["to"] == node and l["road"] in majors]
        o.append(f"            (id: {q('pri_' + node)}, node: {q(node)}, name: {q(name)}, "
                 f"control: Priority(major: {strlist(major)})),")
    o.append("        ],")
    o.append("    ),")
    o.append("    buildings: [")
    for b in BUILDINGS + [bend_building()]:
        if len(b) == 4:
            bid, c, s, h = b
            o.append(f"        (id: {q(bid)}, shape: Box(center: {pt(c)}, size: {pt(s)}), height: {f(h)}),")
        else:
            bid, poly, h = b
            o.append(f"        (id: {q(bid)}, shape: Polygon([" + ", ".join(pt(p) for p in poly)
                     + f"]), height: {f(h)}),")
    o.append("    ],")
    o.append("    // One RSU per signalised intersection (assumed), on the north-east corner, 6 m mast,")
    o.append("    // WAVE + PC5, broadcasting that junction's SPaT/MAP; CCTV along the main road both ways.")
    o.append("    rsus: [")
    for node, name, spat, off, phases in SIGNALS:
        x, y, _ = NODES[node]
        pos = (x + m.half_width(node, "ns") + 4, y + m.half_width(node, "ew") + 4)
        main_dir = phases[0][1]
        heads = (0, 180) if main_dir in "ew" else (90, 270)
        big = phases[0][0] in ("wcb", "wcr")
        fov, rng = (60, 150) if big else (90, 80)
        cams = ", ".join(f"(heading_deg: {f(h)}, fov_deg: {f(fov)}, range: {f(rng)})" for h in heads)
        o.append(f"        (id: {q('rsu_' + node)}, pos: {pt(pos)}, height: 6.0, radios: [Wave, Pc5], "
                 f"junction: Some({q('sig_' + node)}), cctv: [{cams}]),")
    o.append("    ],")
    o.append("    // 5G (3.5 GHz, SK Telecom) base stations with edge servers on rooftops (sites assumed).")
    o.append("    gnbs: [")
    for gid, on, pos, h in GNBS:
        o.append(f"        // on {on}")
        o.append(f"        (id: {q(gid)}, pos: {pt(pos)}, height: {f(h)}, freq_ghz: 3.5, tx_dbm: 46.0, "
                 f"mec: LogNormal(median_ms: 1.0, p99_ms: 3.0)),")
    o.append("    ],")
    o.append("    // Seoul Future Mobility Center, 1st floor of S-Plex Center (sourced).")
    o.append(f"    control_centre: Some({pt(CONTROL_CENTRE)}),")
    o.append(")")
    return "\n".join(o) + "\n"


# ----------------------------------------------------------------------------- hidden pedestrian
def signal_green(node, road, d, t):
    """Is the incoming (road, d) approach of a signalised node green at time t?"""
    for n, _, _, off, phases in SIGNALS:
        if n != node:
            continue
        cyc = sum(g + 5 for *_, g in phases)
        tc = (t - off) % cyc
        start = 0
        for r, dd, g in phases:
            if (r, dd) == (road, d):
                return start <= tc < start + g
            start += g + 5
    raise KeyError(node)


HP = dict(
    link="wcb_e_4",  # Sangam Elementary School -> DMC, eastbound
    bus_pos=200.0,  # front bumper of the parked bus, m
    ped_pos=203.0,  # crossing line, 3 m ahead of the bus's front
    ped_depart=90.0,
    ped_speed=1.5,  # hurrying for the bus
    car_pos=30.0,
    car_speed=13.9,
    car_arrive_after=3.0,  # s after the pedestrian steps off the kerb
)


def emit_hidden(m: Map) -> str:
    h = HP
    L = m.trimmed(h["link"])
    lanes = m.by_id[h["link"]]["lanes"]
    kerb = lanes * LANE_W
    lane1 = (lanes - 1 - 0.5) * LANE_W  # lane 1 centre, m right of the centreline
    car_w = 1.8
    t_enter = (kerb - (lane1 + car_w / 2) - 0.25) / h["ped_speed"]  # 0.25 m body radius
    t_leave = (kerb - (lane1 - car_w / 2) + 0.25) / h["ped_speed"]
    t_arr = h["ped_depart"] + h["car_arrive_after"]
    car_depart = t_arr - (h["ped_pos"] - h["car_pos"]) / h["car_speed"]
    t_stop_line = t_arr + (L - h["ped_pos"]) / h["car_speed"]
    assert t_enter < h["car_arrive_after"] < t_leave
    assert signal_green("dmc", "wcb", "e", car_depart) and signal_green("dmc", "wcb", "e", t_stop_line)
    ped_xy = m.point_at(h["link"], h["ped_pos"], kerb)
    rsu = (ped_xy[0] + 25, ped_xy[1] - 3)
    t_lane1 = LANE_W / h["ped_speed"]  # across lane 0, out of the bus's shadow
    sight = h["car_speed"] * (h["car_arrive_after"] - t_lane1)
    return f"""// Shared world of hidden-pedestrian.ron and hidden-pedestrian-no-v2x.ron (fragment).
//
// GENERATED by tools/gen_sangam.py (timings are computed there against the map's signals).
//
// World Cup-buk-ro eastbound, between Sangam Elementary School and the DMC intersection
// (link {h['link']}, {L:.0f} m between stop lines, 4 lanes). A city bus stands at the kerb (lane 0)
// at the Nuri Dream Square stop, front bumper at {h['bus_pos']:.0f} m. At t = {h['ped_depart']:.0f} s a
// pedestrian runs out in front of it at {h['ped_pos']:.0f} m from the right kerb at {h['ped_speed']} m/s.
// The bus hides them from traffic in lane 1 until they step into it ({t_lane1:.1f} s after leaving
// the kerb). An automated car in lane 1 at {h['car_speed']} m/s reaches the crossing line
// {h['car_arrive_after']} s after the pedestrian leaves the kerb; the pedestrian is inside its path from
// {t_enter:.2f} s to {t_leave:.2f} s. Seeing them on entering lane 1 leaves ~{sight:.0f} m: too short to stop
// from 50 km/h (~12 m needed at 9 m/s^2 after a 0.1 s reaction), so only an earlier warning helps.
// A mid-block RSU on the kerb 25 m past the crossing looks back west with its CCTV, sees the
// pedestrian at the kerb and warns over WAVE/PC5 about 3 s ahead. The DMC eastbound signal is
// green from t = 79 s to 124 s, so the car never has to stop for it (departs {car_depart:.2f} s,
// would pass the stop line at {t_stop_line:.1f} s).
(
    vehicles: [
        (id: "city_bus", kind: Bus, route: Links(["{h['link']}", "wcb_e_5"]), pos: {f(h['bus_pos'])}, speed: 0.0, lane: 0),
        (
            id: "av_car",
            kind: Car,
            route: Links(["{h['link']}", "wcb_e_5"]),
            depart: {f(car_depart)},
            pos: {f(h['car_pos'])},
            speed: {f(h['car_speed'])},
            lane: 1,
            automated: true,
            driver: (v0: Some({f(h['car_speed'])})),
        ),
    ],
    pedestrians: [
        (id: "runner", link: "{h['link']}", pos: {f(h['ped_pos'])}, depart: {f(h['ped_depart'])}, speed: {f(h['ped_speed'])}, from_right: true),
    ],
    events: [
        // The bus is parked: a stall at t = 0 keeps it there for the whole run.
        (at: 0.0, action: Stall(vehicle: "city_bus")),
    ],
    rsus: [
        // Mid-block RSU at the bus stop (assumed site), camera looking west along the kerb lanes.
        (id: "rsu_nuri_stop", pos: {pt(rsu)}, height: 6.0, radios: [Wave, Pc5],
         cctv: [(heading_deg: 180.0, fov_deg: 90.0, range: 80.0)]),
    ],
)
"""


# ----------------------------------------------------------------------------- facts
def sight_distance(m: Map):
    """Along hgr_n_1, lane 0: how far before a stalled car at stall_s a driver can first see it
    past the bend building (2D line of sight, building as the polygon)."""
    bpoly = bend_building()[1]
    lid = "hgr_n_1"
    lanes = m.by_id[lid]["lanes"]
    off = (lanes - 0.5) * LANE_W
    def blocked(a, b):
        n = len(bpoly)
        for i in range(n):
            c, d = bpoly[i], bpoly[(i + 1) % n]
            def cr(o, p, r):
                return (p[0] - o[0]) * (r[1] - o[1]) - (p[1] - o[1]) * (r[0] - o[0])
            if cr(a, b, c) * cr(a, b, d) < 0 and cr(c, d, a) * cr(c, d, b) < 0:
                return True
        return False
    out = []
    for stall_s in (300.0, 320.0, 340.0):
        tgt = m.point_at(lid, stall_s, off)
        first = None
        for s in range(0, int(stall_s)):
            if not blocked(m.point_at(lid, float(s), off), tgt):
                first = s
                break
        out.append((stall_s, stall_s - first if first is not None else None))
    return out


def out_dir() -> Path:
    """`--out DIR` if given, else scenarios/ of this checkout."""
    if "--out" in sys.argv:
        i = sys.argv.index("--out")
        if i + 1 >= len(sys.argv):
            sys.exit("error: --out needs a directory")
        return Path(sys.argv[i + 1])
    return OUT


def main():
    m = Map()
    out = out_dir()
    (out / "common").mkdir(parents=True, exist_ok=True)
    # newline="\n": the committed bytes do not depend on the platform's line ending.
    (out / "common" / "sangam-map.ron").write_text(emit_map(m), newline="\n")
    (out / "common" / "hidden-pedestrian-world.ron").write_text(emit_hidden(m), newline="\n")
    if "--check" in sys.argv:
        for lid in ["wcb_e_4", "wcb_w_4", "wcb_w_3", "hgr_n_1", "sus_s_1", "sus_s_2", "mbs_n_2",
                    "sgm_e_2", "sgm_e_3"]:
            print(f"{lid}: length {m.length(lid):.1f} trimmed {m.trimmed(lid):.1f}")
        loop = sum(m.length(l) for l in BUS_LOOP)
        print(f"bus loop {loop:.0f} m")
        print("hgr bend: arc from s =", round(260 - 0 - 0, 1), "to", round(260 + math.pi / 2 * BEND_R, 1),
              "(centreline, from haneul_park)")
        for stall_s, d in sight_distance(m):
            print(f"stall at {stall_s} m on hgr_n_1 lane 0: first visible from {d} m before")
        for node, _, _, off, phases in SIGNALS:
            cyc = sum(g + 5 for *_, g in phases)
            start, w = 0, []
            for r, d, g in phases:
                w.append(f"{r}_{d}:[{off + start:.0f},{off + start + g:.0f})")
                start += g + 5
            print(node, cyc, " ".join(w))


if __name__ == "__main__":
    main()
