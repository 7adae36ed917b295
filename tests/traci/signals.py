"""A TraCI client switching a signal and reading V2X (tests/traci_server.rs), on
tests/traci/crossing.ron: the stock `traci` package, unchanged.
"""
import sys

import traci

traci.init(port=int(sys.argv[1]))
TL = "crossroads"
assert traci.trafficlight.getIDList() == (TL,)
# Controlled links in index order: each approach's movements (straight on and turning).
links = traci.trafficlight.getControlledLinks(TL)
assert links == (
    (("west_in_0", "east_out_0", ""),),
    (("west_in_0", "north_out_0", ""),),
    (("south_in_0", "east_out_0", ""),),
    (("south_in_0", "north_out_0", ""),),
), links
traci.simulationStep(1.0)
assert traci.person.getIDList() == ()
assert traci.trafficlight.getRedYellowGreenState(TL) == "GGrr"
assert traci.trafficlight.getPhase(TL) == 0 and traci.trafficlight.getProgram(TL) == "0"
assert abs(traci.trafficlight.getNextSwitch(TL) - 65.0) < 1e-9, traci.trafficlight.getNextSwitch(TL)
# Cut the green short: 1 s left, then the programmed 3 s amber and 2 s all-red.
traci.trafficlight.setPhaseDuration(TL, 1.0)
assert abs(traci.trafficlight.getNextSwitch(TL) - 7.0) < 1e-9, traci.trafficlight.getNextSwitch(TL)
traci.simulationStep(2.5)
assert traci.trafficlight.getRedYellowGreenState(TL) == "yyrr"

# Context subscriptions: the vehicles within a distance of the ego (itself included), by id.
import traci.constants as tc  # noqa: E402
ego_xy = traci.vehicle.getPosition("ego")
north_xy = traci.vehicle.getPosition("north")
apart = ((ego_xy[0] - north_xy[0]) ** 2 + (ego_xy[1] - north_xy[1]) ** 2) ** 0.5
traci.vehicle.subscribeContext("ego", tc.CMD_GET_VEHICLE_VARIABLE, apart - 1.0, [tc.VAR_SPEED])
assert list(traci.vehicle.getContextSubscriptionResults("ego")) == ["ego"]
traci.vehicle.subscribeContext("ego", tc.CMD_GET_VEHICLE_VARIABLE, apart + 1.0, [tc.VAR_SPEED])
near = traci.vehicle.getContextSubscriptionResults("ego")
assert sorted(near) == ["ego", "north"], near
assert near["north"][tc.VAR_SPEED] == traci.vehicle.getSpeed("north")
traci.vehicle.unsubscribeContext("ego", tc.CMD_GET_VEHICLE_VARIABLE, apart + 1.0)

# The ego warns of a hazard where it is: a DENM repeated from its on-board unit.
traci.vehicle.setParameter("ego", "v2x.send.denm", "hazardousLocation")
try:
    traci.vehicle.setParameter("ego", "v2x.send.denm", "dragons")
    raise AssertionError("an unknown event is an error")
except traci.TraCIException as e:
    assert "hazardousLocation" in str(e), e

# The pedestrian steps off at 2 s, 200 m along east_out (which starts 12 m from the centre).
traci.simulationStep(3.0)
assert traci.person.getIDList() == ("walker",), traci.person.getIDList()
x, y = traci.person.getPosition("walker")
assert 205.0 < x < 220.0 and abs(y) < 6.0, (x, y)
assert traci.person.getRoadID("walker") == "east_out"
assert abs(traci.person.getSpeed("walker") - 1.4) < 1e-9

# Red for the eastbound approach, green for the northbound one, held.
traci.trafficlight.setRedYellowGreenState(TL, "rrGG")
assert traci.trafficlight.getRedYellowGreenState(TL) == "rrGG"
assert traci.trafficlight.getProgram(TL) == "online"
north_crossed = False
while traci.simulation.getTime() < 40.0:
    traci.simulationStep()
    if traci.vehicle.getRoadID("north") == "north_out":
        north_crossed = True
# The ego stopped before its line (its front short of the link's end) and stands.
assert traci.vehicle.getRoadID("ego") == "west_in", traci.vehicle.getRoadID("ego")
assert traci.vehicle.getSpeed("ego") < 0.01, traci.vehicle.getSpeed("ego")
assert traci.vehicle.getLanePosition("ego") < traci.lane.getLength("west_in_0")
assert north_crossed, "the northbound car went on its green"
# The northbound car heard the ego's DENM.
denm = traci.vehicle.getParameter("north", "v2x.last.denm").split()
assert denm[:2] == ["denm", "ego"] and 1.0 <= float(denm[2]) <= 40.0, denm
assert int(traci.vehicle.getParameter("north", "v2x.received.denm")) > 1
# The junction's RSU warns of roadworks: the waiting ego hears it.
traci.simulation.setParameter("rsu_crossroads", "v2x.send.denm", "roadworks")
for _ in range(20):
    traci.simulationStep()
denm = traci.vehicle.getParameter("ego", "v2x.last.denm").split()
assert denm[:2] == ["denm", "rsu_crossroads"], denm

# Back to green: the ego drives on through the junction.
traci.trafficlight.setRedYellowGreenState(TL, "GGrr")
while traci.simulation.getTime() < 60.0:
    traci.simulationStep()
assert traci.vehicle.getRoadID("ego") == "east_out", traci.vehicle.getRoadID("ego")

# A bad state is an error, and changes nothing.
try:
    traci.trafficlight.setRedYellowGreenState(TL, "G")
    raise AssertionError("a state of the wrong length is an error")
except traci.TraCIException as e:
    assert "controls 4 links" in str(e), e

# V2X: the ego heard the RSU's SPaT and the other car's CAMs, with their latencies.
spat = int(traci.vehicle.getParameter("ego", "v2x.received.spat"))
cams = int(traci.vehicle.getParameter("ego", "v2x.received.cam"))
assert spat > 100 and cams > 10, (spat, cams)
kind, sender, sent, latency_ms, tech = traci.vehicle.getParameter("ego", "v2x.last.spat").split()
assert (kind, sender, tech) == ("spat", "rsu_crossroads", "pc5"), (kind, sender, tech)
assert float(sent) <= traci.simulation.getTime() and 0 < float(latency_ms) < 100
pdr = float(traci.simulation.getParameter("", "v2x.pdr"))
assert 0.5 < pdr <= 1.0, pdr
try:
    traci.vehicle.getParameter("ego", "v2x.nothing")
    raise AssertionError("an unknown key is an error")
except traci.TraCIException as e:
    assert "v2x.nothing" in str(e), e
# Speed mode 7 (bit 4 off): a driver who runs the red; the default mode stops for it.
traci.route.add("we", ["west_in", "east_out"])
traci.trafficlight.setRedYellowGreenState(TL, "rrGG")
traci.vehicle.add("runner", "we", depart="now", departPos="300", departSpeed="10")
traci.vehicle.add("stopper", "we", depart="now", departLane="0", departPos="200", departSpeed="10")
traci.simulationStep()
traci.vehicle.setSpeedMode("runner", 7)
ran = False
while traci.simulation.getTime() < 90.0:
    traci.simulationStep()
    assert traci.trafficlight.getRedYellowGreenState(TL) == "rrGG"
    ran = ran or ("runner" in traci.vehicle.getIDList()
                  and traci.vehicle.getRoadID("runner") == "east_out")
assert ran, "the runner ran the red"
assert traci.vehicle.getRoadID("stopper") == "west_in" and traci.vehicle.getSpeed("stopper") < 0.01
# Back to the static program where its cycle is now: shifted at t = 1 s so that the first
# green ended at 2 s, the 90 s cycle is at 58 s at t = 90 s (phase 0, green until 92 s, then
# 3 s amber and 2 s all-red).
traci.trafficlight.setProgram(TL, "0")
assert traci.trafficlight.getProgram(TL) == "0"
assert traci.trafficlight.getRedYellowGreenState(TL) == "GGrr"
assert traci.trafficlight.getPhase(TL) == 0
assert abs(traci.trafficlight.getNextSwitch(TL) - 97.0) < 1e-9, traci.trafficlight.getNextSwitch(TL)

traci.close()
