def expected_turns(goal: int, sectors: int) -> float:
    # E[s] = 1 + (E[s+1] + ... + E[s+sectors]) / sectors for s < goal, and 0 from goal on.
    # Filling from goal - 1 down to 0 with a running window sum makes each step O(1):
    # O(goal) instead of O(goal * sectors).
    expect = [0.0] * (goal + 1)
    window = 0.0  # sum of expect[s+1 .. s+sectors] (squares >= goal contribute 0)
    for s in range(goal - 1, -1, -1):
        expect[s] = 1 + window / sectors
        window += expect[s]
        if s + sectors < goal:
            window -= expect[s + sectors]
    return expect[0]
