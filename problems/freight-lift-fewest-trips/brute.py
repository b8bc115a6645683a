from typing import List


class Solution:
    def fewestTrips(self, weights: List[int], capacity: int) -> int:
        # Try every way of assigning crates to trips (set partitions).
        best = len(weights)

        def place(i: int, loads: List[int]) -> None:
            nonlocal best
            if i == len(weights):
                best = min(best, len(loads))
                return
            for t in range(len(loads)):
                if loads[t] + weights[i] <= capacity:
                    loads[t] += weights[i]
                    place(i + 1, loads)
                    loads[t] -= weights[i]
            loads.append(weights[i])
            place(i + 1, loads)
            loads.pop()

        place(0, [])
        return best
