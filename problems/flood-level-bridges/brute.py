from typing import List


def reachable_islands(n: int, bridges: List[List[int]], queries: List[List[int]]) -> List[int]:
    """For each question, grow the reached set over the usable bridges until it stops growing."""
    answers = []
    for v, level in queries:
        reached = {v}
        grew = True
        while grew:
            grew = False
            for a, b, h in bridges:
                if h > level and (a in reached) != (b in reached):
                    reached |= {a, b}
                    grew = True
        answers.append(len(reached))
    return answers
