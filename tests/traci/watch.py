"""A TraCI client for `view --serve` (tests/viz_screenshot.rs), on tests/traci/crossing.ron:
brings the ego to a standstill and steps to 19 s; the view shows it and takes its screenshot.
"""
import sys

import traci

traci.init(port=int(sys.argv[1]))
traci.simulationStep(1.0)
traci.vehicle.setSpeed("ego", 0.0)  # held until released
traci.simulationStep(19.0)
assert abs(traci.simulation.getTime() - 19.0) < 1e-9, traci.simulation.getTime()
assert traci.vehicle.getSpeed("ego") < 0.01, traci.vehicle.getSpeed("ego")
traci.close()
