class Solution:
    def longestMotif(self, song: str, k: int) -> int:
        n = len(song)
        for length in range(n, 0, -1):
            for i in range(n - length + 1):
                motif = song[i:i + length]
                if sum(song[j:j + length] == motif for j in range(n - length + 1)) >= k:
                    return length
        return 0
