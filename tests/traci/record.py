"""One TraCI client script for SUMO and for sangam-sim alike (tests/traci_server.rs): steps
to END one step at a time and prints, as JSON, every departure and arrival with its time and,
every second, the vehicles on the road with their positions, heights, slopes and classes.

    python record.py PORT END OUT.json
"""
import json
import sys

import traci

traci.init(port=int(sys.argv[1]))
END = float(sys.argv[2])
out = {"departed": [], "arrived": [], "samples": []}
step = 0
while traci.simulation.getTime() < END - 1e-9:
    traci.simulationStep()
    step += 1
    t = round(traci.simulation.getTime(), 3)
    out["departed"] += [[t, v] for v in traci.simulation.getDepartedIDList()]
    out["arrived"] += [[t, v] for v in traci.simulation.getArrivedIDList()]
    if abs(t - round(t)) < 1e-6:
        ids = traci.vehicle.getIDList()
        out["samples"].append({
            "t": t,
            "ids": list(ids),
            "pos": {v: list(traci.vehicle.getPosition(v)) for v in ids},
            "road": {v: traci.vehicle.getRoadID(v) for v in ids},
            "class": {v: traci.vehicle.getVehicleClass(v) for v in ids},
            "z": {v: traci.vehicle.getPosition3D(v)[2] for v in ids},
            "slope": {v: traci.vehicle.getSlope(v) for v in ids},
        })
traci.close()
with open(sys.argv[3], "w") as f:
    json.dump(out, f)
