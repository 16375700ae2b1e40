"""Plotting tier: matplotlib only. Functions take data (and an optional ``ax``) and return
artists or axes; they never train or differentiate. One module per topic or lab."""
