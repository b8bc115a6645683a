from typing import List


class Solution:
    def signalsReceived(self, heights: List[int]) -> List[int]:
        """One pass per direction with a stack of towers that are still visible (strictly decreasing heights).

        A tower no taller than the newcomer can never be the receiver for anyone
        further along, so it is popped; what is left on top is the receiver.
        """
        n = len(heights)
        received = [0] * n
        for order in (range(n), range(n - 1, -1, -1)):
            stack: List[int] = []
            for i in order:
                while stack and heights[stack[-1]] <= heights[i]:
                    stack.pop()
                if stack:
                    received[stack[-1]] += 1
                stack.append(i)
        return received
