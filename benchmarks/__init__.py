"""Speed and memory benchmarks, reported as ratios against references timed in the same run."""
