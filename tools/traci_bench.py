"""TraCI overhead benchmark (docs/performance.md): a client stepping with one vehicle
subscription per step, against sangam-sim's `serve` and against SUMO, side by side.

    python tools/traci_bench.py [--sim target/release/sangam-sim] [--sumo-bin DIR]

Needs the `traci` package and SUMO's tools (`pip install eclipse-sumo traci`). Prints, per
simulator, the wall time per step seen by the client, the simulation's own time per step (for
sangam-sim: measured inside the same served run; for SUMO: the same run without TraCI), and
the difference: what co-simulation costs, the Python client's own time included. sangam-sim
also reports its server's time per step (decoding, answering, subscriptions, sending).
Machines are noisy: read the ratios.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import traci
import traci.constants as tc

DEMAND = """<routes>
    <vType id="idm" carFollowModel="IDM" accel="2.6" decel="4.5" tau="1.0" minGap="2.5"
           length="5" delta="4" maxSpeed="30" speedDev="0" sigma="0"/>
    <route id="east" edges="A1B1 B1C1 C1D1"/>
    <route id="west" edges="D2C2 C2B2 B2A2"/>
    <route id="north" edges="B0B1 B1B2 B2B3"/>
    <flow id="e" type="idm" route="east" begin="0" end="900" vehsPerHour="700" departSpeed="max"/>
    <flow id="n" type="idm" route="north" begin="0" end="900" vehsPerHour="400" departSpeed="max"/>
    <flow id="w" type="idm" route="west" begin="0" end="900" vehsPerHour="500" departSpeed="max"/>
</routes>
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(port, steps):
    """Step `steps` times, keeping one vehicle subscription; wall seconds per step."""
    traci.init(port=port)
    watched = None
    start = time.perf_counter()
    for _ in range(steps):
        traci.simulationStep()
        if watched is None or watched in traci.simulation.getArrivedIDList():
            ids = traci.vehicle.getIDList()
            watched = ids[0] if ids else None
            if watched:
                traci.vehicle.subscribe(watched, [tc.VAR_SPEED, tc.VAR_POSITION])
        if watched:
            traci.vehicle.getSubscriptionResults(watched)
    per_step = (time.perf_counter() - start) / steps
    traci.close()
    return per_step


def ours(sim, scenario, steps, out):
    port = free_port()
    server = subprocess.Popen(
        [sim, "serve", *scenario, "--port", str(port), "--out", out],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(0.5)
    seen = client(port, steps)
    text = server.communicate()[0]
    m = re.search(r"simulation ([\d.]+) µs, server ([\d.]+) µs", text)
    sim_us, server_us = (float(m.group(1)), float(m.group(2))) if m else (float("nan"),) * 2
    return seen, sim_us * 1e-6, server_us * 1e-6


def sumo(sumo_bin, d, steps):
    port = free_port()
    args = [os.path.join(sumo_bin, "sumo"), "-n", "grid.net.xml", "-r", "demand.rou.xml",
            "--step-length", "0.1", "--no-step-log", "--end", str(steps * 0.1)]
    proc = subprocess.Popen(args + ["--remote-port", str(port)], cwd=d,
                            stdout=subprocess.DEVNULL)
    seen = client(port, steps)
    proc.wait()
    start = time.perf_counter()
    subprocess.run(args, cwd=d, check=True, stdout=subprocess.DEVNULL)
    return seen, (time.perf_counter() - start) / steps


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sim", default="target/release/sangam-sim")
    p.add_argument("--sumo-bin", default=os.path.dirname(sys.executable))
    a = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        # The default Sangam scenario, 60 s at 10 ms steps.
        seen, step_s, server_s = ours(a.sim, [], 6000, os.path.join(d, "dmc"))
        rows.append(("sangam-sim, default scenario", seen, step_s, server_s))
        # The same grid and flows in both, 300 s at 0.1 s steps.
        subprocess.run([os.path.join(a.sumo_bin, "netgenerate"), "--grid", "--grid.number", "4",
                        "--grid.length", "300", "--default-junction-type", "traffic_light",
                        "--no-turnarounds", "true", "-o", os.path.join(d, "grid.net.xml")],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(d, "demand.rou.xml"), "w") as f:
            f.write(DEMAND)
        ron = os.path.join(d, "grid.ron")
        with open(ron, "w") as f:
            f.write('(name: "grid", duration: 300.0, step: 0.1, '
                    'sumo: (net: "grid.net.xml", routes: ["demand.rou.xml"]))')
        seen, step_s, server_s = ours(a.sim, [ron], 3000, os.path.join(d, "grid"))
        rows.append(("sangam-sim, 4x4 grid", seen, step_s, server_s))
        seen, plain = sumo(a.sumo_bin, d, 3000)
        rows.append(("SUMO, 4x4 grid", seen, plain, None))
    print(f"{'':32} {'client µs/step':>15} {'simulation µs':>14} {'TraCI cost µs':>14} {'server µs':>10}")
    for name, seen, plain, server_s in rows:
        server = f"{server_s * 1e6:10.1f}" if server_s is not None else f"{'-':>10}"
        print(f"{name:32} {seen * 1e6:15.1f} {plain * 1e6:14.1f} {(seen - plain) * 1e6:14.1f} {server}")


if __name__ == "__main__":
    main()
