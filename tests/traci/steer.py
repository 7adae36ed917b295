"""A TraCI client steering sangam-sim (tests/traci_server.rs): stock `traci`, unchanged.

Checks SUMO's semantics against closed-form kinematics on tests/traci/road.ron: the clock,
departures and arrivals, positions against speeds, setSpeed and slowDown within the
vehicle's acceleration bounds, subscriptions against getters, errors that leave the
connection usable, and the end of the scenario. Exits non-zero with the reason on a failure.
"""
import sys

import traci
import traci.constants as tc

DT = 0.1
A_MAX, B_COMF = 2.6, 4.5  # sangam-sim's car (docs/traffic-models.md)


def near(a, b, tol, what):
    assert abs(a - b) <= tol, f"{what}: {a} vs {b} (tolerance {tol})"


DEPARTED, ARRIVED = {}, {}


def step():
    """One step; notes who departed and arrived in it."""
    traci.simulationStep()
    t = traci.simulation.getTime()
    for v in traci.simulation.getDepartedIDList():
        DEPARTED[v] = t
    for v in traci.simulation.getArrivedIDList():
        ARRIVED[v] = t
        assert v not in traci.vehicle.getIDList(), f"{v} arrived but is listed"
    return t


def clock_and_departures():
    assert traci.getVersion()[0] == 22, traci.getVersion()
    near(traci.simulation.getDeltaT(), DT, 1e-12, "delta t")
    near(traci.simulation.getTime(), 0.0, 1e-12, "time before the first step")
    assert traci.vehicle.getIDList() == (), "nobody before the first step"
    assert traci.simulation.getMinExpectedNumber() == 2
    near(step(), DT, 1e-9, "time after one step")
    assert traci.simulation.getDepartedIDList() == ("ego",)
    assert traci.simulation.getLoadedIDList() == ("ego",)
    assert traci.vehicle.getIDList() == ("ego",)


def positions_follow_speeds():
    """x advances by the mean speed times dt (constant acceleration within a step)."""
    x0, v0 = traci.vehicle.getPosition("ego")[0], traci.vehicle.getSpeed("ego")
    start_x, start_pos = x0, traci.vehicle.getLanePosition("ego")
    for _ in range(20):
        step()
        x1, v1 = traci.vehicle.getPosition("ego")[0], traci.vehicle.getSpeed("ego")
        near(x1 - x0, (v0 + v1) / 2 * DT, 1e-6, "distance in a step")
        x0, v0 = x1, v1
    # On a straight road heading east, the lane position grows with x.
    near(traci.vehicle.getLanePosition("ego") - start_pos, x0 - start_x, 1e-6, "lane position")
    assert traci.vehicle.getRoadID("ego") == "ab"
    assert traci.vehicle.getLaneID("ego") == "ab_0"
    assert traci.vehicle.getLaneIndex("ego") == 0
    near(traci.vehicle.getAngle("ego"), 90.0, 1e-6, "heading east")
    assert traci.vehicle.getRoute("ego") == ("ab",)
    near(traci.vehicle.getLength("ego"), 4.5, 1e-9, "car length")


def set_speed_brakes_at_most_comfortably_and_holds():
    traci.vehicle.setSpeed("ego", 5.0)
    v = traci.vehicle.getSpeed("ego")
    steps = 0
    while True:
        step()
        steps += 1
        w = traci.vehicle.getSpeed("ego")
        assert w <= v + 1e-9 and v - w <= B_COMF * DT + 1e-9, f"braking {v} -> {w}"
        v = w
        if abs(v - 5.0) < 1e-9:
            break
        assert steps < 100, "never reached the commanded speed"
    for _ in range(30):
        step()
        near(traci.vehicle.getSpeed("ego"), 5.0, 1e-9, "held speed")
    return traci.simulation.getTime()


def slow_down_ramps_then_hands_back():
    t0 = traci.simulation.getTime()
    traci.vehicle.slowDown("ego", 10.0, 4.0)
    for _ in range(20):
        t = step()
        # The target ramps 5 -> 10 over 4 s (1.25 m/s², below a): followed within a step.
        near(traci.vehicle.getSpeed("ego"), 5.0 + 1.25 * (t - t0), 1.25 * DT + 1e-9, "ramp")
    while traci.simulation.getTime() < t0 + 8.0:
        step()
    # After the ramp the driver accelerates on towards its own 13 m/s.
    assert traci.vehicle.getSpeed("ego") > 11.0, traci.vehicle.getSpeed("ego")


def subscriptions_equal_getters():
    traci.vehicle.subscribe("ego", [tc.VAR_SPEED, tc.VAR_POSITION, tc.VAR_LANE_ID])
    traci.simulation.subscribe([tc.VAR_TIME])
    for _ in range(5):
        step()
        got = traci.vehicle.getSubscriptionResults("ego")
        assert got[tc.VAR_SPEED] == traci.vehicle.getSpeed("ego")
        assert got[tc.VAR_POSITION] == traci.vehicle.getPosition("ego")
        assert got[tc.VAR_LANE_ID] == "ab_0"
        assert traci.simulation.getSubscriptionResults()[tc.VAR_TIME] == traci.simulation.getTime()
    traci.vehicle.unsubscribe("ego")
    step()
    assert traci.vehicle.getSubscriptionResults("ego") == {}


def change_lane_and_route():
    traci.vehicle.changeLane("ego", 1, 20.0)
    for _ in range(60):
        step()
    assert traci.vehicle.getLaneID("ego") == "ab_1", traci.vehicle.getLaneID("ego")
    assert traci.lane.getLastStepVehicleIDs("ab_1")[0] == "ego"
    assert traci.edge.getLastStepVehicleNumber("ab") == 1  # late has arrived
    traci.vehicle.setRoute("ego", ["ab"])
    traci.vehicle.changeTarget("ego", "ab")
    assert traci.vehicle.getRoute("ego") == ("ab",)
    try:
        traci.vehicle.setRoute("ego", ["ba"])
        raise AssertionError("a route from elsewhere is an error")
    except traci.TraCIException as e:
        assert "'ba' is not known" in str(e), e


def add_and_remove():
    traci.route.add("r", ["ab"])
    assert traci.route.getIDList() == ("r",) and traci.route.getEdges("r") == ("ab",)
    traci.vehicle.add("added", "r", depart="now", departSpeed="max")
    t = step()
    assert DEPARTED.get("added") == t and "added" in traci.vehicle.getIDList()
    assert traci.vehicle.getRoadID("added") == "ab" and traci.vehicle.getSpeed("added") > 10.0
    try:
        traci.vehicle.add("added", "r")
        raise AssertionError("an id in use is an error")
    except traci.TraCIException as e:
        assert "exists" in str(e), e
    traci.vehicle.remove("added")
    assert "added" not in traci.vehicle.getIDList()
    t = step()
    assert ARRIVED.get("added") == t, ARRIVED


def speed_and_lane_change_modes():
    # Speed mode 0: a commanded speed is taken at once, unbounded by acceleration or safety.
    traci.vehicle.setSpeedMode("ego", 0)
    assert traci.vehicle.getSpeedMode("ego") == 0
    v = traci.vehicle.getSpeed("ego")
    traci.vehicle.setSpeed("ego", v + 5.0)
    step()
    near(traci.vehicle.getSpeed("ego"), v + 5.0, 1e-9, "speed mode 0")
    traci.vehicle.setSpeedMode("ego", 31)
    traci.vehicle.setSpeed("ego", -1)
    # Lane change mode 0: behind a slow car, the ego keeps its lane until allowed to change.
    traci.vehicle.changeLane("ego", 1, 0.0)  # no lane held any more
    traci.vehicle.setLaneChangeMode("ego", 0)
    # Far enough ahead that the ego can brake to its speed (SUMO inserts no vehicle that
    # whoever comes up behind could not stop for; it waits to enter instead).
    ahead = traci.vehicle.getLanePosition("ego") + 80.0
    traci.vehicle.add("slow", "r", depart="now", departLane="1", departPos=str(ahead),
                      departSpeed="2")
    step()
    traci.vehicle.setSpeed("slow", 2.0)
    for _ in range(120):
        step()
    assert traci.vehicle.getLaneIndex("ego") == 1, "mode 0 keeps the lane"
    near(traci.vehicle.getSpeed("ego"), 2.0, 0.5, "stuck behind the slow car")
    traci.vehicle.setLaneChangeMode("ego", 1621)
    for _ in range(80):
        step()
    assert traci.vehicle.getLaneIndex("ego") == 0, "with the default mode it overtakes"


def errors_leave_the_connection_usable():
    try:
        traci.vehicle.getSpeed("nobody")
        raise AssertionError("an unknown vehicle is an error")
    except traci.TraCIException as e:
        assert "'nobody' is not known" in str(e), e
    try:
        traci.poi.getIDList()
        raise AssertionError("an unimplemented command says so")
    except traci.TraCIException as e:
        assert "0xa7" in str(e) and "not implemented" in str(e), e
    near(traci.simulation.getTime(), traci.simulation.getTime(), 0, "still answering")


def late_vehicle_departs_and_arrives():
    while traci.simulation.getMinExpectedNumber() > 0:
        step()
    assert list(DEPARTED) == ["ego", "late", "added", "slow"], DEPARTED
    assert list(ARRIVED) == ["late", "added"], ARRIVED
    # Departs in the step that starts at 5 s; 100 m at 10 m/s and more.
    near(DEPARTED["late"], 5.0 + DT, 1e-9, "departure")
    assert 12.0 < ARRIVED["late"] < 15.5, ARRIVED


def the_scenario_ends_at_its_duration():
    near(traci.simulation.getTime(), 60.0, 1e-9, "the loop stops at the duration")
    try:
        traci.simulationStep()
        raise AssertionError("no step past the end")
    except traci.TraCIException as e:
        assert "ends at 60" in str(e), e


def main():
    traci.init(port=int(sys.argv[1]))
    clock_and_departures()
    positions_follow_speeds()
    set_speed_brakes_at_most_comfortably_and_holds()
    slow_down_ramps_then_hands_back()
    subscriptions_equal_getters()
    change_lane_and_route()
    add_and_remove()
    speed_and_lane_change_modes()
    errors_leave_the_connection_usable()
    late_vehicle_departs_and_arrives()
    the_scenario_ends_at_its_duration()
    traci.close()


if __name__ == "__main__":
    main()
