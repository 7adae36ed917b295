"""One of two TraCI clients on one sangam-sim (tests/traci_server.rs), as in SUMO's
"TraCI/Multiple clients": each calls setOrder first; the world steps when both wait.

Client 1 slows `ego` to 5 m/s and steps a second at a time; client 2 steps one step at a
time and must see what client 1 commanded, at the same clock.
"""
import sys

import traci

ORDER, PORT = int(sys.argv[1]), int(sys.argv[2])
traci.init(port=PORT)
traci.setOrder(ORDER)
if ORDER == 1:
    traci.simulationStep(1.0)
    traci.vehicle.setSpeed("ego", 5.0)
    while traci.simulation.getTime() < 10.0 - 1e-9:
        traci.simulationStep(traci.simulation.getTime() + 1.0)
        t = traci.simulation.getTime()
        assert abs(t - round(t)) < 1e-9, f"client 1 stepped to {t}"
else:
    times = []
    while traci.simulation.getTime() < 10.0 - 1e-9:
        traci.simulationStep()
        times.append(traci.simulation.getTime())
    assert all(abs(b - a - 0.1) < 1e-9 for a, b in zip(times, times[1:])), "one step each"
    # Braking from 13 m/s at 4.5 m/s² takes under 2 s after client 1's command at 1 s.
    assert abs(traci.vehicle.getSpeed("ego") - 5.0) < 1e-9, traci.vehicle.getSpeed("ego")
traci.close()
