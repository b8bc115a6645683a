from typing import List


class Solution:
    def signalsReceived(self, heights: List[int]) -> List[int]:
        n = len(heights)
        received = [0] * n
        for i in range(n):
            for step in (-1, 1):
                j = i + step
                while 0 <= j < n and heights[j] <= heights[i]:
                    j += step
                if 0 <= j < n:
                    received[j] += 1
        return received
